//! `GroupChatStore` on `group_chats`: the contact check, an advisory lock on (family, type,
//! contact), the read and the insert in one transaction.

use async_trait::async_trait;
use calndr_domain::{ContactType, FamilyId, GroupChat, UserId};
use calndr_ports::{GroupChatStore, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Int4, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, RunQueryDsl};

use crate::error::TxError;
use crate::schema::{babysitter_families, emergency_contacts, group_chats};
use crate::PgStore;

#[async_trait]
impl GroupChatStore for PgStore {
    async fn group_chat(
        &self,
        family: FamilyId,
        contact_type: ContactType,
        contact_id: i32,
        created_by: UserId,
        new_identifier: &str,
        at: DateTime<Utc>,
    ) -> Result<(GroupChat, bool), StoreError> {
        let mut conn = self.conn().await?;
        let new_identifier = new_identifier.to_owned();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let contact_known: i64 = match contact_type {
                ContactType::Babysitter => {
                    babysitter_families::table
                        .filter(babysitter_families::babysitter_id.eq(contact_id))
                        .filter(babysitter_families::family_id.eq(family.as_uuid()))
                        .count()
                        .get_result(conn)
                        .await?
                }
                ContactType::Emergency => {
                    emergency_contacts::table
                        .filter(emergency_contacts::id.eq(contact_id))
                        .filter(emergency_contacts::family_id.eq(family.as_uuid()))
                        .count()
                        .get_result(conn)
                        .await?
                }
            };
            if contact_known == 0 {
                return Err(TxError::Store(StoreError::NotFound));
            }
            // Serialises concurrent first calls for the same chat (works whether or not the
            // unique index of migration 2025-01-02-000000 could be created on an adopted database).
            diesel::sql_query(
                "SELECT pg_advisory_xact_lock(hashtext($1 || '|' || $2 || '|' || $3::text))",
            )
            .bind::<SqlUuid, _>(family.as_uuid())
            .bind::<Text, _>(contact_type.as_str())
            .bind::<Int4, _>(contact_id)
            .execute(conn)
            .await?;
            let existing: Option<(Option<String>, Option<NaiveDateTime>)> = group_chats::table
                .filter(group_chats::family_id.eq(family.as_uuid()))
                .filter(group_chats::contact_type.eq(contact_type.as_str()))
                .filter(group_chats::contact_id.eq(contact_id))
                .order(group_chats::id.asc())
                .select((group_chats::group_identifier, group_chats::created_at))
                .first(conn)
                .await
                .optional()?;
            if let Some((identifier, created_at)) = existing {
                match identifier {
                    Some(group_identifier) => {
                        return Ok((
                            GroupChat {
                                group_identifier,
                                created_at,
                            },
                            true,
                        ))
                    }
                    None => {
                        // An adopted row without an identifier: give it one.
                        diesel::update(
                            group_chats::table
                                .filter(group_chats::family_id.eq(family.as_uuid()))
                                .filter(group_chats::contact_type.eq(contact_type.as_str()))
                                .filter(group_chats::contact_id.eq(contact_id))
                                .filter(group_chats::group_identifier.is_null()),
                        )
                        .set(group_chats::group_identifier.eq(&new_identifier))
                        .execute(conn)
                        .await?;
                        return Ok((
                            GroupChat {
                                group_identifier: new_identifier,
                                created_at,
                            },
                            true,
                        ));
                    }
                }
            }
            let at = at.naive_utc();
            diesel::insert_into(group_chats::table)
                .values((
                    group_chats::family_id.eq(family.as_uuid()),
                    group_chats::contact_type.eq(contact_type.as_str()),
                    group_chats::contact_id.eq(contact_id),
                    group_chats::group_identifier.eq(&new_identifier),
                    group_chats::created_by_user_id.eq(created_by.as_uuid()),
                    group_chats::created_at.eq(at),
                ))
                .execute(conn)
                .await?;
            Ok((
                GroupChat {
                    group_identifier: new_identifier,
                    created_at: Some(at),
                },
                false,
            ))
        })
        .await
        .map_err(TxError::into_store)
    }
}
