DROP INDEX IF EXISTS idx_group_chats_family_contact;
