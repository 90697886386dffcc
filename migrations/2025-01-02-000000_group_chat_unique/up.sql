-- One group chat per (family, contact type, contact). The service already serialises creation with
-- a transaction-scoped advisory lock; this index makes the rule hold in the database too.
-- An adopted database that already holds duplicates keeps them (their identifiers live on the
-- devices, so none is deleted): the index is then not created and a warning is raised.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM group_chats
                GROUP BY family_id, contact_type, contact_id HAVING count(*) > 1) THEN
        RAISE WARNING 'calndr: group_chats holds duplicate (family_id, contact_type, contact_id) '
                      'rows; idx_group_chats_family_contact not created';
    ELSE
        CREATE UNIQUE INDEX IF NOT EXISTS idx_group_chats_family_contact
            ON group_chats (family_id, contact_type, contact_id);
    END IF;
END $$;
