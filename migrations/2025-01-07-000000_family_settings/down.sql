DROP TABLE IF EXISTS family_settings;
