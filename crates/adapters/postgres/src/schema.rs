// Diesel table definitions for the schema after migrations 2025-01-01-000000_original_schema and
// 2025-01-01-000100_rust_additions. Hand-written; `diesel print-schema` against a migrated database
// prints the same, except for the deliberate deviations noted below.
//
// Deviations from print-schema:
// * user_preferences: primary key declared as (user_id) and the `id` column omitted. Its type is
//   UUID on a fresh database but SERIAL on one adopted from the original backend; our code never
//   reads or writes it (the database default fills it).
// * joinable!: only one foreign key per pair of tables can be declared. custody -> users uses
//   custodian_id (actor_id also references users); join on actor_id explicitly with `.on(...)`.
// * Nullability and types follow the live database, not the original's SQLAlchemy model (e.g.
//   reminders.notification_enabled and school_events.all_day are nullable there).

diesel::table! {
    babysitter_families (id) {
        id -> Int4,
        babysitter_id -> Int4,
        family_id -> Uuid,
        added_by_user_id -> Uuid,
        added_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    babysitters (id) {
        id -> Int4,
        #[max_length = 100]
        first_name -> Varchar,
        #[max_length = 100]
        last_name -> Varchar,
        #[max_length = 20]
        phone_number -> Varchar,
        rate -> Nullable<Numeric>,
        notes -> Nullable<Text>,
        created_by_user_id -> Uuid,
        created_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    children (id) {
        id -> Uuid,
        family_id -> Uuid,
        #[max_length = 100]
        first_name -> Varchar,
        #[max_length = 100]
        last_name -> Varchar,
        dob -> Date,
    }
}

diesel::table! {
    custody (id) {
        id -> Int4,
        family_id -> Uuid,
        date -> Date,
        actor_id -> Uuid,
        custodian_id -> Uuid,
        handoff_day -> Nullable<Bool>,
        handoff_time -> Nullable<Time>,
        #[max_length = 255]
        handoff_location -> Nullable<Varchar>,
        created_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    daycare_calendar_syncs (id) {
        id -> Int4,
        daycare_provider_id -> Int4,
        calendar_url -> Text,
        last_sync_at -> Nullable<Timestamptz>,
        last_sync_success -> Nullable<Bool>,
        last_sync_error -> Nullable<Text>,
        events_count -> Nullable<Int4>,
        sync_enabled -> Nullable<Bool>,
        created_at -> Nullable<Timestamptz>,
        updated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    daycare_events (id) {
        id -> Int4,
        daycare_provider_id -> Int4,
        event_date -> Date,
        #[max_length = 255]
        title -> Varchar,
        description -> Nullable<Text>,
        #[max_length = 50]
        event_type -> Nullable<Varchar>,
        start_time -> Nullable<Time>,
        end_time -> Nullable<Time>,
        all_day -> Nullable<Bool>,
        created_at -> Nullable<Timestamptz>,
        updated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    daycare_providers (id) {
        id -> Int4,
        family_id -> Uuid,
        #[max_length = 255]
        name -> Varchar,
        address -> Nullable<Text>,
        #[max_length = 20]
        phone_number -> Nullable<Varchar>,
        #[max_length = 255]
        email -> Nullable<Varchar>,
        #[max_length = 255]
        hours -> Nullable<Varchar>,
        notes -> Nullable<Text>,
        #[max_length = 255]
        google_place_id -> Nullable<Varchar>,
        rating -> Nullable<Numeric>,
        #[max_length = 500]
        website -> Nullable<Varchar>,
        created_by_user_id -> Uuid,
        created_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    email_verifications (id) {
        id -> Int4,
        user_id -> Nullable<Uuid>,
        #[max_length = 255]
        email -> Varchar,
        #[max_length = 6]
        code -> Varchar,
        expires_at -> Timestamptz,
        is_verified -> Nullable<Bool>,
        verified_at -> Nullable<Timestamptz>,
        attempts -> Nullable<Int4>,
        created_at -> Nullable<Timestamptz>,
        updated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    emergency_contacts (id) {
        id -> Int4,
        family_id -> Uuid,
        #[max_length = 100]
        first_name -> Varchar,
        #[max_length = 100]
        last_name -> Varchar,
        #[max_length = 20]
        phone_number -> Varchar,
        #[max_length = 100]
        relationship -> Nullable<Varchar>,
        notes -> Nullable<Text>,
        created_by_user_id -> Uuid,
        created_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    enrollment_codes (id) {
        id -> Int4,
        family_id -> Uuid,
        // VARCHAR(6) in the original; widened by 000100
        #[max_length = 32]
        code -> Varchar,
        created_by_user_id -> Uuid,
        #[max_length = 100]
        coparent_first_name -> Nullable<Varchar>,
        #[max_length = 100]
        coparent_last_name -> Nullable<Varchar>,
        #[max_length = 255]
        coparent_email -> Nullable<Varchar>,
        #[max_length = 20]
        coparent_phone -> Nullable<Varchar>,
        invitation_sent -> Bool,
        invitation_sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        // added by 000100
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        redeemed_count -> Int4,
    }
}

diesel::table! {
    events (id) {
        id -> Int4,
        family_id -> Uuid,
        date -> Date,
        #[max_length = 255]
        content -> Nullable<Varchar>,
        position -> Nullable<Int4>,
        #[max_length = 255]
        event_type -> Varchar,
    }
}

diesel::table! {
    families (id) {
        id -> Uuid,
        name -> Varchar,
        daycare_sync_id -> Nullable<Int4>,
        school_sync_id -> Nullable<Int4>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    group_chats (id) {
        id -> Int4,
        family_id -> Uuid,
        #[max_length = 20]
        contact_type -> Varchar,
        contact_id -> Int4,
        #[max_length = 255]
        group_identifier -> Nullable<Varchar>,
        created_by_user_id -> Uuid,
        created_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    // added by 000100: durable background-job queue
    jobs (id) {
        id -> Int8,
        queue -> Text,
        kind -> Text,
        payload -> Jsonb,
        dedupe_key -> Nullable<Text>,
        run_at -> Timestamptz,
        attempts -> Int4,
        max_attempts -> Int4,
        locked_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    journal_entries (id) {
        id -> Int4,
        family_id -> Uuid,
        user_id -> Uuid,
        #[max_length = 255]
        title -> Nullable<Varchar>,
        content -> Text,
        entry_date -> Date,
        created_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    medical_providers (id) {
        id -> Int4,
        family_id -> Uuid,
        #[max_length = 255]
        name -> Varchar,
        #[max_length = 255]
        specialty -> Nullable<Varchar>,
        address -> Nullable<Text>,
        #[max_length = 50]
        phone -> Nullable<Varchar>,
        #[max_length = 255]
        email -> Nullable<Varchar>,
        #[max_length = 500]
        website -> Nullable<Varchar>,
        latitude -> Nullable<Numeric>,
        longitude -> Nullable<Numeric>,
        #[max_length = 20]
        zip_code -> Nullable<Varchar>,
        notes -> Nullable<Text>,
        #[max_length = 255]
        google_place_id -> Nullable<Varchar>,
        rating -> Nullable<Numeric>,
        created_by_user_id -> Uuid,
        created_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    medications (id) {
        id -> Int4,
        family_id -> Uuid,
        #[max_length = 255]
        name -> Varchar,
        #[max_length = 100]
        dosage -> Nullable<Varchar>,
        #[max_length = 100]
        frequency -> Nullable<Varchar>,
        instructions -> Nullable<Text>,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        is_active -> Nullable<Bool>,
        reminder_enabled -> Nullable<Bool>,
        reminder_time -> Nullable<Time>,
        notes -> Nullable<Text>,
        created_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notification_emails (id) {
        id -> Int4,
        family_id -> Uuid,
        email -> Varchar,
        created_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reminders (id) {
        id -> Int4,
        family_id -> Uuid,
        date -> Date,
        text -> Text,
        notification_enabled -> Nullable<Bool>,
        notification_time -> Nullable<Time>,
        created_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    schedule_templates (id) {
        id -> Int4,
        family_id -> Uuid,
        #[max_length = 255]
        name -> Varchar,
        description -> Nullable<Text>,
        #[max_length = 50]
        pattern_type -> Varchar,
        weekly_pattern -> Nullable<Jsonb>,
        alternating_weeks_pattern -> Nullable<Jsonb>,
        is_active -> Bool,
        created_by_user_id -> Uuid,
        created_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    school_calendar_syncs (id) {
        id -> Int4,
        school_provider_id -> Int4,
        calendar_url -> Text,
        last_sync_at -> Nullable<Timestamptz>,
        last_sync_success -> Nullable<Bool>,
        last_sync_error -> Nullable<Text>,
        events_count -> Nullable<Int4>,
        sync_enabled -> Nullable<Bool>,
        created_at -> Nullable<Timestamptz>,
        updated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    school_events (id) {
        id -> Int4,
        school_provider_id -> Int4,
        event_date -> Date,
        #[max_length = 255]
        title -> Varchar,
        description -> Nullable<Text>,
        #[max_length = 50]
        event_type -> Nullable<Varchar>,
        start_time -> Nullable<Time>,
        end_time -> Nullable<Time>,
        all_day -> Nullable<Bool>,
        created_at -> Nullable<Timestamptz>,
        updated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    school_providers (id) {
        id -> Int4,
        family_id -> Uuid,
        #[max_length = 255]
        name -> Varchar,
        address -> Nullable<Text>,
        #[max_length = 20]
        phone_number -> Nullable<Varchar>,
        #[max_length = 255]
        email -> Nullable<Varchar>,
        #[max_length = 255]
        hours -> Nullable<Varchar>,
        notes -> Nullable<Text>,
        #[max_length = 255]
        google_place_id -> Nullable<Varchar>,
        rating -> Nullable<Numeric>,
        #[max_length = 500]
        website -> Nullable<Varchar>,
        created_by_user_id -> Uuid,
        created_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    themes (id) {
        id -> Uuid,
        name -> Varchar,
        #[sql_name = "mainBackgroundColor"]
        main_background_color -> Varchar,
        #[sql_name = "secondaryBackgroundColor"]
        secondary_background_color -> Varchar,
        #[sql_name = "textColor"]
        text_color -> Varchar,
        #[sql_name = "headerTextColor"]
        header_text_color -> Varchar,
        #[sql_name = "iconColor"]
        icon_color -> Varchar,
        #[sql_name = "iconActiveColor"]
        icon_active_color -> Varchar,
        #[sql_name = "accentColor"]
        accent_color -> Varchar,
        #[sql_name = "parentOneColor"]
        parent_one_color -> Varchar,
        #[sql_name = "parentTwoColor"]
        parent_two_color -> Varchar,
        is_public -> Bool,
        created_by_user_id -> Nullable<Uuid>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    // `id` omitted on purpose (SERIAL or UUID depending on the database), see the header.
    user_preferences (user_id) {
        user_id -> Uuid,
        selected_theme_id -> Nullable<Uuid>,
        #[max_length = 255]
        theme -> Nullable<Varchar>,
        notification_preferences -> Nullable<Json>,
        created_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_profiles (id) {
        id -> Uuid,
        user_id -> Uuid,
        bio -> Nullable<Text>,
        #[max_length = 255]
        profile_photo_url -> Nullable<Varchar>,
        created_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        family_id -> Nullable<Uuid>,
        first_name -> Varchar,
        last_name -> Varchar,
        email -> Varchar,
        password_hash -> Nullable<Varchar>,
        phone_number -> Nullable<Varchar>,
        apple_user_id -> Nullable<Varchar>,
        google_user_id -> Nullable<Varchar>,
        // added by 2025-01-03: Facebook Login
        facebook_user_id -> Nullable<Varchar>,
        sns_endpoint_arn -> Nullable<Varchar>,
        last_known_location -> Nullable<Varchar>,
        last_known_location_timestamp -> Nullable<Timestamp>,
        subscription_type -> Nullable<Varchar>,
        subscription_status -> Nullable<Varchar>,
        profile_photo_url -> Nullable<Text>,
        status -> Nullable<Varchar>,
        enrolled -> Nullable<Bool>,
        coparent_enrolled -> Nullable<Bool>,
        coparent_invited -> Nullable<Bool>,
        last_signed_in -> Nullable<Timestamp>,
        created_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
        #[max_length = 255]
        apns_token -> Nullable<Varchar>,
        // added by 000100
        email_verified_at -> Nullable<Timestamptz>,
        phone_verified_at -> Nullable<Timestamptz>,
        // added by 2025-01-05: session cut-off
        sessions_not_before -> Nullable<Timestamptz>,
        sessions_kept -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(babysitter_families -> babysitters (babysitter_id));
diesel::joinable!(babysitter_families -> families (family_id));
diesel::joinable!(babysitter_families -> users (added_by_user_id));
diesel::joinable!(babysitters -> users (created_by_user_id));
diesel::joinable!(children -> families (family_id));
diesel::joinable!(custody -> families (family_id));
diesel::joinable!(custody -> users (custodian_id));
diesel::joinable!(daycare_calendar_syncs -> daycare_providers (daycare_provider_id));
diesel::joinable!(daycare_events -> daycare_providers (daycare_provider_id));
diesel::joinable!(daycare_providers -> families (family_id));
diesel::joinable!(daycare_providers -> users (created_by_user_id));
diesel::joinable!(email_verifications -> users (user_id));
diesel::joinable!(emergency_contacts -> families (family_id));
diesel::joinable!(emergency_contacts -> users (created_by_user_id));
diesel::joinable!(enrollment_codes -> families (family_id));
diesel::joinable!(enrollment_codes -> users (created_by_user_id));
diesel::joinable!(events -> families (family_id));
diesel::joinable!(families -> daycare_calendar_syncs (daycare_sync_id));
diesel::joinable!(families -> school_calendar_syncs (school_sync_id));
diesel::joinable!(group_chats -> families (family_id));
diesel::joinable!(group_chats -> users (created_by_user_id));
diesel::joinable!(journal_entries -> families (family_id));
diesel::joinable!(journal_entries -> users (user_id));
diesel::joinable!(medical_providers -> families (family_id));
diesel::joinable!(medical_providers -> users (created_by_user_id));
diesel::joinable!(medications -> families (family_id));
diesel::joinable!(notification_emails -> families (family_id));
diesel::joinable!(reminders -> families (family_id));
diesel::joinable!(schedule_templates -> families (family_id));
diesel::joinable!(schedule_templates -> users (created_by_user_id));
diesel::joinable!(school_calendar_syncs -> school_providers (school_provider_id));
diesel::joinable!(school_events -> school_providers (school_provider_id));
diesel::joinable!(school_providers -> families (family_id));
diesel::joinable!(school_providers -> users (created_by_user_id));
diesel::joinable!(themes -> users (created_by_user_id));
diesel::joinable!(user_preferences -> themes (selected_theme_id));
diesel::joinable!(user_preferences -> users (user_id));
diesel::joinable!(user_profiles -> users (user_id));
diesel::joinable!(users -> families (family_id));

diesel::allow_tables_to_appear_in_same_query!(
    babysitter_families,
    babysitters,
    children,
    custody,
    daycare_calendar_syncs,
    daycare_events,
    daycare_providers,
    email_verifications,
    emergency_contacts,
    enrollment_codes,
    events,
    families,
    group_chats,
    jobs,
    journal_entries,
    medical_providers,
    medications,
    notification_emails,
    reminders,
    schedule_templates,
    school_calendar_syncs,
    school_events,
    school_providers,
    themes,
    user_preferences,
    user_profiles,
    users,
);
