//! `ChildStore`, `BabysitterStore`, `EmergencyContactStore`, `MedicationStore` and `ThemeStore`
//! on the original's tables. `babysitters.rate` is NUMERIC(6,2): read as `float8`, written through
//! a cast (the domain keeps it in cents, so no precision is lost either way).

use async_trait::async_trait;
use calndr_domain::{
    Babysitter, BabysitterDraft, BabysitterId, BoundedText, Child, ChildDraft, ChildId, Color,
    EmergencyContact, EmergencyContactDraft, EmergencyContactId, FamilyId, Medication,
    MedicationFields, MedicationId, MedicationPage, MedicationQuery, MedicationSort,
    NotificationPreferences, Palette, PersonName, PhoneNumber, Rate, ShortText, Theme, ThemeDraft,
    ThemeId, UserId,
};
use calndr_ports::{
    BabysitterStore, ChildStore, EmergencyContactStore, MedicationStore, StoreError, ThemeStore,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::dsl::{exists, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Double, Nullable, Numeric};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::accounts::prefs_json;
use crate::error::{from_diesel, one_row, TxError};
use crate::schema::{
    babysitter_families, babysitters, children, emergency_contacts, medications, themes,
    user_preferences,
};
use crate::PgStore;

type Conn = AsyncPgConnection;

/// Deletes the row of `family` whose `$id_col` is `$id` from `$table`: `NotFound` when no row
/// matched (missing, or another family's).
macro_rules! delete_of_family {
    ($store:expr, $table:ident, $id_col:ident = $id:expr, $family:expr) => {{
        let mut conn = $store.conn().await?;
        let n = diesel::delete(
            $table::table
                .filter($table::$id_col.eq($id))
                .filter($table::family_id.eq($family.as_uuid())),
        )
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        one_row(n)
    }};
}

// ----------------------------------------------------------------------------------------------
// Children
// ----------------------------------------------------------------------------------------------

#[derive(Queryable, Selectable)]
#[diesel(table_name = children, check_for_backend(Pg))]
struct ChildRow {
    id: Uuid,
    family_id: Uuid,
    first_name: String,
    last_name: String,
    dob: NaiveDate,
}

impl From<ChildRow> for Child {
    fn from(r: ChildRow) -> Self {
        Self {
            id: ChildId::from_uuid(r.id),
            family_id: FamilyId::from_uuid(r.family_id),
            first_name: PersonName::from_stored(r.first_name),
            last_name: PersonName::from_stored(r.last_name),
            dob: r.dob,
        }
    }
}

#[async_trait]
impl ChildStore for PgStore {
    async fn children(&self, family: FamilyId) -> Result<Vec<Child>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<ChildRow> = children::table
            .filter(children::family_id.eq(family.as_uuid()))
            .order((children::dob.desc(), children::id.asc()))
            .select(ChildRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(Child::from).collect())
    }

    async fn create_child(
        &self,
        family: FamilyId,
        draft: &ChildDraft,
    ) -> Result<Child, StoreError> {
        let mut conn = self.conn().await?;
        let row: ChildRow = diesel::insert_into(children::table)
            .values((
                children::id.eq(ChildId::random().as_uuid()),
                children::family_id.eq(family.as_uuid()),
                children::first_name.eq(draft.first_name.as_str()),
                children::last_name.eq(draft.last_name.as_str()),
                children::dob.eq(draft.dob),
            ))
            .returning(ChildRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn update_child(
        &self,
        family: FamilyId,
        id: ChildId,
        draft: &ChildDraft,
    ) -> Result<Child, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ChildRow> = diesel::update(
            children::table
                .filter(children::id.eq(id.as_uuid()))
                .filter(children::family_id.eq(family.as_uuid())),
        )
        .set((
            children::first_name.eq(draft.first_name.as_str()),
            children::last_name.eq(draft.last_name.as_str()),
            children::dob.eq(draft.dob),
        ))
        .returning(ChildRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(Child::from).ok_or(StoreError::NotFound)
    }

    async fn delete_child(&self, family: FamilyId, id: ChildId) -> Result<(), StoreError> {
        delete_of_family!(self, children, id = id.as_uuid(), family)
    }
}

// ----------------------------------------------------------------------------------------------
// Babysitters
// ----------------------------------------------------------------------------------------------

type SitterRow = (
    i32,
    String,
    String,
    String,
    Option<f64>,
    Option<String>,
    Uuid,
    Option<NaiveDateTime>,
);

fn babysitter(r: SitterRow) -> Babysitter {
    let (id, first, last, phone, rate, notes, created_by, created_at) = r;
    Babysitter {
        id: BabysitterId::new(id),
        first_name: PersonName::from_stored(first),
        last_name: PersonName::from_stored(last),
        phone_number: PhoneNumber::from_stored(phone),
        rate: Rate::from_stored(rate),
        notes: notes.map(BoundedText::from_stored),
        created_by: UserId::from_uuid(created_by),
        created_at,
    }
}

/// The family's sitters (through their links), by name; `only` narrows to one sitter.
async fn linked_sitters(
    conn: &mut Conn,
    family: FamilyId,
    only: Option<i32>,
) -> Result<Vec<Babysitter>, diesel::result::Error> {
    let mut q = babysitters::table
        .inner_join(babysitter_families::table)
        .filter(babysitter_families::family_id.eq(family.as_uuid()))
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(babysitters::id.eq(id));
    }
    let rows: Vec<SitterRow> = q
        .order((
            babysitters::first_name.asc(),
            babysitters::last_name.asc(),
            babysitters::id.asc(),
        ))
        .select((
            babysitters::id,
            babysitters::first_name,
            babysitters::last_name,
            babysitters::phone_number,
            sql::<Nullable<Double>>("babysitters.rate::float8"),
            babysitters::notes,
            babysitters::created_by_user_id,
            babysitters::created_at,
        ))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(babysitter).collect())
}

fn rate_cents(draft: &BabysitterDraft) -> Option<i32> {
    draft.rate.and_then(|r| i32::try_from(r.cents()).ok())
}

#[async_trait]
impl BabysitterStore for PgStore {
    async fn babysitters(&self, family: FamilyId) -> Result<Vec<Babysitter>, StoreError> {
        let mut conn = self.read_conn().await?;
        linked_sitters(&mut conn, family, None)
            .await
            .map_err(from_diesel)
    }

    async fn create_babysitter(
        &self,
        family: FamilyId,
        by: UserId,
        draft: &BabysitterDraft,
        at: DateTime<Utc>,
    ) -> Result<Babysitter, StoreError> {
        let mut conn = self.conn().await?;
        let draft = draft.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let at = at.naive_utc();
            let id: i32 = diesel::insert_into(babysitters::table)
                .values((
                    babysitters::first_name.eq(draft.first_name.as_str()),
                    babysitters::last_name.eq(draft.last_name.as_str()),
                    babysitters::phone_number.eq(draft.phone_number.as_str()),
                    babysitters::rate.eq(sql::<Nullable<Numeric>>("(")
                        .bind::<Nullable<diesel::sql_types::Int4>, _>(rate_cents(&draft))
                        .sql("::numeric / 100)")),
                    babysitters::notes.eq(draft.notes.as_ref().map(BoundedText::as_str)),
                    babysitters::created_by_user_id.eq(by.as_uuid()),
                    babysitters::created_at.eq(at),
                ))
                .returning(babysitters::id)
                .get_result(conn)
                .await?;
            diesel::insert_into(babysitter_families::table)
                .values((
                    babysitter_families::babysitter_id.eq(id),
                    babysitter_families::family_id.eq(family.as_uuid()),
                    babysitter_families::added_by_user_id.eq(by.as_uuid()),
                    babysitter_families::added_at.eq(at),
                ))
                .execute(conn)
                .await?;
            let mut rows = linked_sitters(conn, family, Some(id)).await?;
            rows.pop().ok_or(TxError::Store(StoreError::NotFound))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn update_babysitter(
        &self,
        family: FamilyId,
        id: BabysitterId,
        draft: &BabysitterDraft,
    ) -> Result<Babysitter, StoreError> {
        let mut conn = self.conn().await?;
        let draft = draft.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let linked = babysitter_families::table
                .filter(babysitter_families::babysitter_id.eq(id.get()))
                .filter(babysitter_families::family_id.eq(family.as_uuid()));
            let n = diesel::update(
                babysitters::table
                    .filter(babysitters::id.eq(id.get()))
                    .filter(exists(linked)),
            )
            .set((
                babysitters::first_name.eq(draft.first_name.as_str()),
                babysitters::last_name.eq(draft.last_name.as_str()),
                babysitters::phone_number.eq(draft.phone_number.as_str()),
                babysitters::rate.eq(sql::<Nullable<Numeric>>("(")
                    .bind::<Nullable<diesel::sql_types::Int4>, _>(rate_cents(&draft))
                    .sql("::numeric / 100)")),
                babysitters::notes.eq(draft.notes.as_ref().map(BoundedText::as_str)),
            ))
            .execute(conn)
            .await?;
            one_row(n)?;
            let mut rows = linked_sitters(conn, family, Some(id.get())).await?;
            rows.pop().ok_or(TxError::Store(StoreError::NotFound))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn unlink_babysitter(
        &self,
        family: FamilyId,
        id: BabysitterId,
    ) -> Result<(), StoreError> {
        delete_of_family!(self, babysitter_families, babysitter_id = id.get(), family)
    }
}

// ----------------------------------------------------------------------------------------------
// Emergency contacts
// ----------------------------------------------------------------------------------------------

#[derive(Queryable, Selectable)]
#[diesel(table_name = emergency_contacts, check_for_backend(Pg))]
struct ContactRow {
    id: i32,
    family_id: Uuid,
    first_name: String,
    last_name: String,
    phone_number: String,
    relationship: Option<String>,
    notes: Option<String>,
    created_by_user_id: Uuid,
    created_at: Option<NaiveDateTime>,
}

impl From<ContactRow> for EmergencyContact {
    fn from(r: ContactRow) -> Self {
        Self {
            id: EmergencyContactId::new(r.id),
            family_id: FamilyId::from_uuid(r.family_id),
            first_name: PersonName::from_stored(r.first_name),
            last_name: PersonName::from_stored(r.last_name),
            phone_number: PhoneNumber::from_stored(r.phone_number),
            relationship: r.relationship.map(ShortText::from_stored),
            notes: r.notes.map(BoundedText::from_stored),
            created_by: UserId::from_uuid(r.created_by_user_id),
            created_at: r.created_at,
        }
    }
}

#[async_trait]
impl EmergencyContactStore for PgStore {
    async fn emergency_contacts(
        &self,
        family: FamilyId,
    ) -> Result<Vec<EmergencyContact>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<ContactRow> = emergency_contacts::table
            .filter(emergency_contacts::family_id.eq(family.as_uuid()))
            .order((
                emergency_contacts::first_name.asc(),
                emergency_contacts::last_name.asc(),
                emergency_contacts::id.asc(),
            ))
            .select(ContactRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(EmergencyContact::from).collect())
    }

    async fn create_emergency_contact(
        &self,
        family: FamilyId,
        by: UserId,
        draft: &EmergencyContactDraft,
        at: DateTime<Utc>,
    ) -> Result<EmergencyContact, StoreError> {
        let mut conn = self.conn().await?;
        let row: ContactRow = diesel::insert_into(emergency_contacts::table)
            .values((
                emergency_contacts::family_id.eq(family.as_uuid()),
                emergency_contacts::first_name.eq(draft.first_name.as_str()),
                emergency_contacts::last_name.eq(draft.last_name.as_str()),
                emergency_contacts::phone_number.eq(draft.phone_number.as_str()),
                emergency_contacts::relationship
                    .eq(draft.relationship.as_ref().map(ShortText::as_str)),
                emergency_contacts::notes.eq(draft.notes.as_ref().map(BoundedText::as_str)),
                emergency_contacts::created_by_user_id.eq(by.as_uuid()),
                emergency_contacts::created_at.eq(at.naive_utc()),
            ))
            .returning(ContactRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn update_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
        draft: &EmergencyContactDraft,
    ) -> Result<EmergencyContact, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ContactRow> = diesel::update(
            emergency_contacts::table
                .filter(emergency_contacts::id.eq(id.get()))
                .filter(emergency_contacts::family_id.eq(family.as_uuid())),
        )
        .set((
            emergency_contacts::first_name.eq(draft.first_name.as_str()),
            emergency_contacts::last_name.eq(draft.last_name.as_str()),
            emergency_contacts::phone_number.eq(draft.phone_number.as_str()),
            emergency_contacts::relationship.eq(draft.relationship.as_ref().map(ShortText::as_str)),
            emergency_contacts::notes.eq(draft.notes.as_ref().map(BoundedText::as_str)),
        ))
        .returning(ContactRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(EmergencyContact::from).ok_or(StoreError::NotFound)
    }

    async fn delete_emergency_contact(
        &self,
        family: FamilyId,
        id: EmergencyContactId,
    ) -> Result<(), StoreError> {
        delete_of_family!(self, emergency_contacts, id = id.get(), family)
    }
}

// ----------------------------------------------------------------------------------------------
// Medications
// ----------------------------------------------------------------------------------------------

#[derive(Queryable, Selectable)]
#[diesel(table_name = medications, check_for_backend(Pg))]
struct MedicationRow {
    id: i32,
    family_id: Uuid,
    name: String,
    dosage: Option<String>,
    frequency: Option<String>,
    instructions: Option<String>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    is_active: Option<bool>,
    reminder_enabled: Option<bool>,
    reminder_time: Option<NaiveTime>,
    notes: Option<String>,
    created_at: Option<NaiveDateTime>,
    updated_at: Option<NaiveDateTime>,
}

impl From<MedicationRow> for Medication {
    fn from(r: MedicationRow) -> Self {
        Self {
            id: MedicationId::new(r.id),
            family_id: FamilyId::from_uuid(r.family_id),
            fields: MedicationFields {
                name: BoundedText::from_stored(r.name),
                dosage: r.dosage.map(BoundedText::from_stored),
                frequency: r.frequency.map(BoundedText::from_stored),
                instructions: r.instructions.map(BoundedText::from_stored),
                start_date: r.start_date,
                end_date: r.end_date,
                // The columns' defaults: active, no reminder.
                is_active: r.is_active.unwrap_or(true),
                reminder_enabled: r.reminder_enabled.unwrap_or(false),
                reminder_time: r.reminder_time,
                notes: r.notes.map(BoundedText::from_stored),
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The family's medications matching the query's filters (no order, no page).
fn matching(family: FamilyId, q: &MedicationQuery) -> medications::BoxedQuery<'static, Pg> {
    let mut sel = medications::table
        .filter(medications::family_id.eq(family.as_uuid()))
        .into_boxed();
    let active = medications::is_active
        .eq(true)
        .or(medications::is_active.is_null());
    match q.is_active {
        Some(true) => sel = sel.filter(active),
        Some(false) => sel = sel.filter(medications::is_active.eq(false)),
        None => {}
    }
    match q.reminder_enabled {
        Some(true) => sel = sel.filter(medications::reminder_enabled.eq(true)),
        Some(false) => {
            sel = sel.filter(
                medications::reminder_enabled
                    .eq(false)
                    .or(medications::reminder_enabled.is_null()),
            );
        }
        None => {}
    }
    if let Some(day) = q.current_on {
        sel = sel
            .filter(
                medications::is_active
                    .eq(true)
                    .or(medications::is_active.is_null()),
            )
            .filter(
                medications::start_date
                    .is_null()
                    .or(medications::start_date.le(day)),
            )
            .filter(
                medications::end_date
                    .is_null()
                    .or(medications::end_date.ge(day)),
            );
    }
    sel
}

type MedicationValues<'a> = (
    diesel::dsl::Eq<medications::name, &'a str>,
    diesel::dsl::Eq<medications::dosage, Option<&'a str>>,
    diesel::dsl::Eq<medications::frequency, Option<&'a str>>,
    diesel::dsl::Eq<medications::instructions, Option<&'a str>>,
    diesel::dsl::Eq<medications::start_date, Option<NaiveDate>>,
    diesel::dsl::Eq<medications::end_date, Option<NaiveDate>>,
    diesel::dsl::Eq<medications::is_active, bool>,
    diesel::dsl::Eq<medications::reminder_enabled, bool>,
    diesel::dsl::Eq<medications::reminder_time, Option<NaiveTime>>,
    diesel::dsl::Eq<medications::notes, Option<&'a str>>,
);

fn medication_values(fields: &MedicationFields) -> MedicationValues<'_> {
    fn text(t: &Option<BoundedText>) -> Option<&str> {
        t.as_ref().map(BoundedText::as_str)
    }
    (
        medications::name.eq(fields.name.as_str()),
        medications::dosage.eq(text(&fields.dosage)),
        medications::frequency.eq(text(&fields.frequency)),
        medications::instructions.eq(text(&fields.instructions)),
        medications::start_date.eq(fields.start_date),
        medications::end_date.eq(fields.end_date),
        medications::is_active.eq(fields.is_active),
        medications::reminder_enabled.eq(fields.reminder_enabled),
        medications::reminder_time.eq(fields.reminder_time),
        medications::notes.eq(text(&fields.notes)),
    )
}

#[async_trait]
impl MedicationStore for PgStore {
    async fn medications(
        &self,
        family: FamilyId,
        query: MedicationQuery,
    ) -> Result<MedicationPage, StoreError> {
        let mut conn = self.read_conn().await?;
        let total: i64 = matching(family, &query)
            .count()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        let sel = matching(family, &query);
        let sel = match (query.sort, query.descending) {
            (MedicationSort::Name, false) => sel.order(medications::name.asc()),
            (MedicationSort::Name, true) => sel.order(medications::name.desc()),
            (MedicationSort::StartDate, false) => {
                sel.order(medications::start_date.asc().nulls_last())
            }
            (MedicationSort::StartDate, true) => {
                sel.order(medications::start_date.desc().nulls_last())
            }
            (MedicationSort::CreatedAt, false) => {
                sel.order(medications::created_at.asc().nulls_last())
            }
            (MedicationSort::CreatedAt, true) => {
                sel.order(medications::created_at.desc().nulls_last())
            }
        };
        let rows: Vec<MedicationRow> = sel
            .then_order_by(medications::id.asc())
            .offset(i64::try_from(query.offset()).unwrap_or(i64::MAX))
            .limit(i64::from(query.limit))
            .select(MedicationRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(MedicationPage {
            medications: rows.into_iter().map(Medication::from).collect(),
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    async fn medication(
        &self,
        family: FamilyId,
        id: MedicationId,
    ) -> Result<Medication, StoreError> {
        let mut conn = self.read_conn().await?;
        let row: MedicationRow = medications::table
            .filter(medications::id.eq(id.get()))
            .filter(medications::family_id.eq(family.as_uuid()))
            .select(MedicationRow::as_select())
            .first(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn create_medication(
        &self,
        family: FamilyId,
        fields: &MedicationFields,
        at: DateTime<Utc>,
    ) -> Result<Medication, StoreError> {
        let mut conn = self.conn().await?;
        let at = at.naive_utc();
        let row: MedicationRow = diesel::insert_into(medications::table)
            .values((
                medications::family_id.eq(family.as_uuid()),
                medication_values(fields),
                medications::created_at.eq(at),
                medications::updated_at.eq(at),
            ))
            .returning(MedicationRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn replace_medication(
        &self,
        family: FamilyId,
        id: MedicationId,
        fields: &MedicationFields,
        read: Option<NaiveDateTime>,
        at: DateTime<Utc>,
    ) -> Result<Medication, StoreError> {
        let mut conn = self.conn().await?;
        let fields = fields.clone();
        conn.transaction::<_, TxError, _>(async move |conn| {
            let of_family = medications::table
                .filter(medications::id.eq(id.get()))
                .filter(medications::family_id.eq(family.as_uuid()));
            let row: Option<MedicationRow> = diesel::update(
                of_family.filter(medications::updated_at.is_not_distinct_from(read)),
            )
            .set((
                medication_values(&fields),
                medications::updated_at.eq(at.naive_utc()),
            ))
            .returning(MedicationRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
            if let Some(row) = row {
                return Ok(Medication::from(row));
            }
            let exists: i64 = of_family.count().get_result(conn).await?;
            Err(TxError::Store(if exists > 0 {
                StoreError::Conflict("medication")
            } else {
                StoreError::NotFound
            }))
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn delete_medication(
        &self,
        family: FamilyId,
        id: MedicationId,
    ) -> Result<(), StoreError> {
        delete_of_family!(self, medications, id = id.get(), family)
    }
}

// ----------------------------------------------------------------------------------------------
// Themes
// ----------------------------------------------------------------------------------------------

#[derive(Queryable, Selectable)]
#[diesel(table_name = themes, check_for_backend(Pg))]
struct ThemeRow {
    id: Uuid,
    name: String,
    main_background_color: String,
    secondary_background_color: String,
    text_color: String,
    header_text_color: String,
    icon_color: String,
    icon_active_color: String,
    accent_color: String,
    parent_one_color: String,
    parent_two_color: String,
    is_public: bool,
    created_by_user_id: Option<Uuid>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<ThemeRow> for Theme {
    fn from(r: ThemeRow) -> Self {
        Self {
            id: ThemeId::from_uuid(r.id),
            name: ShortText::from_stored(r.name),
            palette: Palette::from_array(
                [
                    r.main_background_color,
                    r.secondary_background_color,
                    r.text_color,
                    r.header_text_color,
                    r.icon_color,
                    r.icon_active_color,
                    r.accent_color,
                    r.parent_one_color,
                    r.parent_two_color,
                ]
                .map(Color::from_stored),
            ),
            is_public: r.is_public,
            created_by: r.created_by_user_id.map(UserId::from_uuid),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

type ThemeValues<'a> = (
    diesel::dsl::Eq<themes::name, &'a str>,
    (
        diesel::dsl::Eq<themes::main_background_color, &'a str>,
        diesel::dsl::Eq<themes::secondary_background_color, &'a str>,
        diesel::dsl::Eq<themes::text_color, &'a str>,
        diesel::dsl::Eq<themes::header_text_color, &'a str>,
        diesel::dsl::Eq<themes::icon_color, &'a str>,
        diesel::dsl::Eq<themes::icon_active_color, &'a str>,
        diesel::dsl::Eq<themes::accent_color, &'a str>,
        diesel::dsl::Eq<themes::parent_one_color, &'a str>,
        diesel::dsl::Eq<themes::parent_two_color, &'a str>,
    ),
    diesel::dsl::Eq<themes::is_public, bool>,
);

fn theme_values(d: &ThemeDraft) -> ThemeValues<'_> {
    let p = &d.palette;
    (
        themes::name.eq(d.name.as_str()),
        (
            themes::main_background_color.eq(p.main_background.as_str()),
            themes::secondary_background_color.eq(p.secondary_background.as_str()),
            themes::text_color.eq(p.text.as_str()),
            themes::header_text_color.eq(p.header_text.as_str()),
            themes::icon_color.eq(p.icon.as_str()),
            themes::icon_active_color.eq(p.icon_active.as_str()),
            themes::accent_color.eq(p.accent.as_str()),
            themes::parent_one_color.eq(p.parent_one.as_str()),
            themes::parent_two_color.eq(p.parent_two.as_str()),
        ),
        themes::is_public.eq(d.is_public),
    )
}

async fn visible_theme_row(
    conn: &mut Conn,
    user: UserId,
    id: ThemeId,
    lock: bool,
) -> Result<Option<ThemeRow>, diesel::result::Error> {
    let q = themes::table
        .filter(themes::id.eq(id.as_uuid()))
        .filter(
            themes::is_public
                .eq(true)
                .or(themes::created_by_user_id.eq(user.as_uuid())),
        )
        .select(ThemeRow::as_select());
    if lock {
        q.for_share().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

#[async_trait]
impl ThemeStore for PgStore {
    async fn visible_themes(&self, user: UserId) -> Result<Vec<Theme>, StoreError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<ThemeRow> = themes::table
            .filter(
                themes::is_public
                    .eq(true)
                    .or(themes::created_by_user_id.eq(user.as_uuid())),
            )
            .order((themes::name.asc(), themes::id.asc()))
            .select(ThemeRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(rows.into_iter().map(Theme::from).collect())
    }

    async fn visible_theme(&self, user: UserId, id: ThemeId) -> Result<Theme, StoreError> {
        let mut conn = self.read_conn().await?;
        visible_theme_row(&mut conn, user, id, false)
            .await
            .map_err(from_diesel)?
            .map(Theme::from)
            .ok_or(StoreError::NotFound)
    }

    async fn create_theme(
        &self,
        user: UserId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError> {
        let mut conn = self.conn().await?;
        let at = at.naive_utc();
        let row: ThemeRow = diesel::insert_into(themes::table)
            .values((
                themes::id.eq(ThemeId::random().as_uuid()),
                theme_values(draft),
                themes::created_by_user_id.eq(user.as_uuid()),
                themes::created_at.eq(at),
                themes::updated_at.eq(at),
            ))
            .returning(ThemeRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(row.into())
    }

    async fn update_own_theme(
        &self,
        user: UserId,
        id: ThemeId,
        draft: &ThemeDraft,
        at: DateTime<Utc>,
    ) -> Result<Theme, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ThemeRow> = diesel::update(
            themes::table
                .filter(themes::id.eq(id.as_uuid()))
                .filter(themes::created_by_user_id.eq(user.as_uuid())),
        )
        .set((theme_values(draft), themes::updated_at.eq(at.naive_utc())))
        .returning(ThemeRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?;
        row.map(Theme::from).ok_or(StoreError::NotFound)
    }

    async fn delete_own_theme(&self, user: UserId, id: ThemeId) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            // The selection's foreign key would refuse the delete: users go back to no theme.
            diesel::update(
                user_preferences::table
                    .filter(user_preferences::selected_theme_id.eq(id.as_uuid())),
            )
            .set(user_preferences::selected_theme_id.eq(None::<Uuid>))
            .execute(conn)
            .await?;
            let n = diesel::delete(
                themes::table
                    .filter(themes::id.eq(id.as_uuid()))
                    .filter(themes::created_by_user_id.eq(user.as_uuid())),
            )
            .execute(conn)
            .await?;
            Ok(one_row(n)?)
        })
        .await
        .map_err(TxError::into_store)
    }

    async fn select_theme(
        &self,
        user: UserId,
        id: ThemeId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, TxError, _>(async move |conn| {
            // FOR SHARE: the theme cannot be deleted or made private before we commit.
            if visible_theme_row(conn, user, id, true).await?.is_none() {
                return Err(TxError::Store(StoreError::NotFound));
            }
            let at = at.naive_utc();
            // The original failed here for a user without a preferences row (it sent id NULL);
            // the column's own default fills the id.
            diesel::insert_into(user_preferences::table)
                .values((
                    user_preferences::user_id.eq(user.as_uuid()),
                    user_preferences::selected_theme_id.eq(id.as_uuid()),
                    user_preferences::theme.eq("default"),
                    user_preferences::notification_preferences
                        .eq(prefs_json(&NotificationPreferences::defaults())),
                    user_preferences::created_at.eq(at),
                    user_preferences::updated_at.eq(at),
                ))
                .on_conflict(user_preferences::user_id)
                .do_update()
                .set((
                    user_preferences::selected_theme_id.eq(id.as_uuid()),
                    user_preferences::updated_at.eq(at),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await
        .map_err(TxError::into_store)
    }
}
