//! A synthetic data set for benchmarks and demos: N families of two parents and two children,
//! a year of custody (alternating weeks, handoffs on Fridays at 17:00 at daycare) and four events
//! a month. Set-based SQL: 500 families (~200k rows) load in seconds.

use calndr_ports::StoreError;
use diesel::sql_types::{Integer, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
use uuid::Uuid;

use crate::error::from_diesel;

/// The domain of every seeded e-mail address, so seeded accounts are easy to find and remove.
pub const SEED_EMAIL_DOMAIN: &str = "bench.calndr.test";

#[derive(QueryableByName)]
struct SeededParent {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    family_id: Uuid,
}

/// Seeds `families` families for `year`; every parent's password hash is `password_hash`.
/// Returns (parent-one user id, family id) of every seeded family, old and new.
pub async fn seed(
    url: &str,
    families: i32,
    year: i32,
    password_hash: &str,
) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
    let batch = Uuid::new_v4().simple().to_string();
    let statements: [&str; 5] = [
        // Families, tagged with this batch so the following statements find them.
        "INSERT INTO families (id, name, created_at, updated_at)
         SELECT gen_random_uuid(), 'Bench family ' || $2 || '-' || g, now(), now()
         FROM generate_series(1, $1) AS g",
        // Two parents per family: p1 created first (custodian one), p2 a second later.
        "INSERT INTO users (id, family_id, first_name, last_name, email, password_hash, status,
                            enrolled, coparent_enrolled, coparent_invited, subscription_type,
                            subscription_status, created_at, updated_at)
         SELECT gen_random_uuid(), f.id, p.first_name, 'Bench',
                p.tag || '-' || f.id || '@' || $3, $4, 'active', true, true, false, 'Free', 'Active',
                now() + p.offset_s * interval '1 second', now()
         FROM families f
         CROSS JOIN (VALUES ('p1', 'Alex', 0), ('p2', 'Sam', 1)) AS p(tag, first_name, offset_s)
         WHERE f.name LIKE 'Bench family ' || $2 || '-%'",
        "INSERT INTO children (id, family_id, first_name, last_name, dob)
         SELECT gen_random_uuid(), f.id, c.first_name, 'Bench', c.dob
         FROM families f
         CROSS JOIN (VALUES ('Mia', DATE '2018-04-02'), ('Leo', DATE '2020-09-14')) AS c(first_name, dob)
         WHERE f.name LIKE 'Bench family ' || $2 || '-%'",
        // A year of custody: alternating weeks, each week changing hands on Friday.
        "INSERT INTO custody (family_id, date, actor_id, custodian_id, handoff_day, handoff_time,
                              handoff_location, created_at)
         SELECT f.id, d::date, p1.id,
                -- 2000-01-07 was a Friday: the week index changes exactly on Fridays.
                CASE WHEN ((d::date - DATE '2000-01-07') / 7) % 2 = 0 THEN p1.id ELSE p2.id END,
                EXTRACT(ISODOW FROM d) = 5 AND d::date > make_date($5, 1, 1),
                CASE WHEN EXTRACT(ISODOW FROM d) = 5 AND d::date > make_date($5, 1, 1)
                     THEN TIME '17:00' END,
                CASE WHEN EXTRACT(ISODOW FROM d) = 5 AND d::date > make_date($5, 1, 1)
                     THEN 'daycare' END,
                now()
         FROM families f
         JOIN users p1 ON p1.family_id = f.id AND p1.email LIKE 'p1-%'
         JOIN users p2 ON p2.family_id = f.id AND p2.email LIKE 'p2-%'
         CROSS JOIN generate_series(make_date($5, 1, 1), make_date($5, 12, 31), interval '1 day') AS d
         WHERE f.name LIKE 'Bench family ' || $2 || '-%'
         ON CONFLICT DO NOTHING",
        "INSERT INTO events (family_id, date, content, event_type)
         SELECT f.id, make_date($5, m, dd), 'Bench event ' || dd, 'regular'
         FROM families f
         CROSS JOIN generate_series(1, 12) AS m
         CROSS JOIN (VALUES (3), (10), (17), (24)) AS e(dd)
         WHERE f.name LIKE 'Bench family ' || $2 || '-%'",
    ];
    conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
        for sql in statements {
            diesel::sql_query(sql)
                .bind::<Integer, _>(families)
                .bind::<Text, _>(&batch)
                .bind::<Text, _>(SEED_EMAIL_DOMAIN)
                .bind::<Text, _>(password_hash)
                .bind::<Integer, _>(year)
                .execute(conn)
                .await?;
        }
        Ok(())
    })
    .await
    .map_err(from_diesel)?;
    let parents: Vec<SeededParent> = diesel::sql_query(
        "SELECT id, family_id FROM users WHERE email LIKE 'p1-%@' || $1 AND family_id IS NOT NULL \
         ORDER BY created_at, id",
    )
    .bind::<Text, _>(SEED_EMAIL_DOMAIN)
    .load(&mut conn)
    .await
    .map_err(from_diesel)?;
    Ok(parents.into_iter().map(|p| (p.id, p.family_id)).collect())
}
