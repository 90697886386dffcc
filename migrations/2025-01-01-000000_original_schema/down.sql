-- Reverts 2025-01-01-000000_original_schema: drops every table and trigger function it creates.
-- DESTRUCTIVE on an adopted database (these are the original's tables). Children before parents;
-- CASCADE also removes the circular families <-> *_calendar_syncs foreign keys and the triggers.

DROP TABLE IF EXISTS email_verifications CASCADE;
DROP TABLE IF EXISTS enrollment_codes CASCADE;
DROP TABLE IF EXISTS medications CASCADE;
DROP TABLE IF EXISTS medical_providers CASCADE;
DROP TABLE IF EXISTS journal_entries CASCADE;
DROP TABLE IF EXISTS schedule_templates CASCADE;
DROP TABLE IF EXISTS daycare_events CASCADE;
DROP TABLE IF EXISTS school_events CASCADE;
DROP TABLE IF EXISTS daycare_calendar_syncs CASCADE;
DROP TABLE IF EXISTS school_calendar_syncs CASCADE;
DROP TABLE IF EXISTS daycare_providers CASCADE;
DROP TABLE IF EXISTS school_providers CASCADE;
DROP TABLE IF EXISTS reminders CASCADE;
DROP TABLE IF EXISTS children CASCADE;
DROP TABLE IF EXISTS group_chats CASCADE;
DROP TABLE IF EXISTS emergency_contacts CASCADE;
DROP TABLE IF EXISTS babysitter_families CASCADE;
DROP TABLE IF EXISTS babysitters CASCADE;
DROP TABLE IF EXISTS notification_emails CASCADE;
DROP TABLE IF EXISTS custody CASCADE;
DROP TABLE IF EXISTS events CASCADE;
DROP TABLE IF EXISTS user_preferences CASCADE;
DROP TABLE IF EXISTS themes CASCADE;
DROP TABLE IF EXISTS user_profiles CASCADE;
DROP TABLE IF EXISTS users CASCADE;
DROP TABLE IF EXISTS families CASCADE;

DROP FUNCTION IF EXISTS update_email_verifications_updated_at();
DROP FUNCTION IF EXISTS update_school_calendar_syncs_updated_at();
DROP FUNCTION IF EXISTS update_daycare_calendar_syncs_updated_at();
DROP FUNCTION IF EXISTS update_school_providers_updated_at();
DROP FUNCTION IF EXISTS update_updated_at_column();
