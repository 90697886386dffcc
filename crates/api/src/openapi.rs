//! The OpenAPI document, served at `/api/v1/openapi.json` and pinned by a snapshot test.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::idempotency::IdempotencyDoc;
use crate::openapi_cross::CrossField;
use crate::openapi_strict::Strict;

use crate::routes::{auth, health, media, users};
use crate::routes::{babysitters, children, emergency_contacts, medications, themes};
use crate::routes::{custody, family, schedule_templates, weather, whereabouts};
use crate::routes::{enrollment, verification};
use crate::routes::{events, export, group_chat, journal, notifications, reminders};
use crate::routes::{medical, providers};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Calndr API",
        description = "Co-parenting family calendar backend. Every path also answers with a trailing \
                       slash. Errors are `{\"detail\": \"...\", \"code\": \"...\"}`; switch on `code`.",
    ),
    modifiers(&BearerAuth, &Strict, &IdempotencyDoc, &CrossField),
    paths(
        auth::login, auth::register, auth::register_with_family, auth::verify_enrollment_code,
        auth::refresh_token, auth::verify_token, auth::change_password, auth::logout_all, auth::forgot_password,
        auth::reset_password, auth::apple_callback, auth::apple_notifications, auth::google_ios_login, auth::facebook_login,
        users::create_user, users::get_profile, users::get_me, users::delete_me, users::update_profile,
        users::change_password_json, users::change_password_form, users::device_token,
        users::update_endpoint, users::last_signin, users::preferences, users::enrollment_status,
        users::location, users::upload_profile_photo, users::upload_users_photo, export::export_me,
        health::liveness, health::readiness, health::api_readiness, health::api_health,
        health::api_health_db, health::api_health_detailed, health::db_info, health::cache_status,
        health::metrics,
        media::get_media,
        events::month, events::range, events::create, events::update, events::delete,
        events::school_month, events::daycare_month, events::school_range, events::daycare_range,
        reminders::list, reminders::create, reminders::by_date, reminders::update,
        reminders::delete,
        journal::list, journal::create, journal::get, journal::update, journal::delete,
        notifications::list, notifications::add, notifications::update, notifications::delete,
        group_chat::create_or_get,
        family::custodians, family::members, family::emails, family::request_location,
        family::invite, family::leave, family::settings, family::set_settings,
        custody::month, custody::handoff_only, custody::create, custody::bulk,
        custody::update_by_date, custody::update_by_id, custody::performance_stats,
        custody::integrity_check, custody::mismatches, custody::fix_mismatches,
        whereabouts::who, whereabouts::time_share,
        schedule_templates::list, schedule_templates::get, schedule_templates::create,
        schedule_templates::update, schedule_templates::delete, schedule_templates::apply,
        weather::forecast, weather::historic,
        providers::daycare::list, providers::daycare::create, providers::daycare::update,
        providers::daycare::delete, providers::daycare::search,
        providers::daycare::discover_calendar, providers::daycare::parse_events,
        providers::daycare_calendar_sync,
        providers::school::list, providers::school::create, providers::school::update,
        providers::school::delete, providers::school::search,
        providers::school::discover_calendar, providers::school::parse_events,
        providers::school_events,
        medical::list, medical::create, medical::get, medical::update, medical::delete,
        medical::search,
        children::list, children::create, children::update, children::delete,
        babysitters::list, babysitters::create, babysitters::update, babysitters::delete,
        emergency_contacts::list, emergency_contacts::create, emergency_contacts::update,
        emergency_contacts::delete,
        medications::list, medications::create, medications::presets, medications::active,
        medications::reminders, medications::get, medications::update, medications::delete,
        themes::list, themes::create, themes::update, themes::delete, themes::set_preference,
        enrollment::create_code, enrollment::validate_code, enrollment::invite,
        enrollment::send_code_email, enrollment::revoke_code, enrollment::flow_status,
        enrollment::flow_coparent_info, enrollment::flow_children_info,
        enrollment::flow_custody_schedule, enrollment::flow_complete,
        verification::email_send_code, verification::email_verify_code,
        verification::email_resend_code, verification::send_pin, verification::verify_pin,
    ),
    tags(
        (name = "auth", description = "Sign-in, sign-up and tokens"),
        (name = "users", description = "The signed-in user's account"),
        (name = "health", description = "Liveness, readiness and metrics"),
        (name = "media", description = "Uploaded objects"),
        (name = "events", description = "Family calendar events"),
        (name = "reminders", description = "One reminder per family and day"),
        (name = "journal", description = "The family journal"),
        (name = "notifications", description = "The family's alert e-mail addresses"),
        (name = "group-chat", description = "Group chat identifiers per contact"),
        (name = "family", description = "Family members, custodians, location requests"),
        (name = "custody", description = "Who has the children each day; handoffs"),
        (name = "custody-maintenance", description = "Custody data integrity checks and repairs"),
        (name = "schedule-templates", description = "Recurring custody schedules"),
        (name = "weather", description = "Daily weather for the calendar (Open-Meteo)"),
        (name = "daycare-providers", description = "The family's daycares and their calendars"),
        (name = "school-providers", description = "The family's schools and their calendars"),
        (name = "medical-providers", description = "The family's doctors and pharmacies"),
        (name = "children", description = "The family's children"),
        (name = "babysitters", description = "Babysitters linked to the family"),
        (name = "emergency-contacts", description = "The family's emergency contacts"),
        (name = "medications", description = "The family's medications and daily reminders"),
        (name = "themes", description = "Colour themes: public and one's own; the selected theme"),
        (name = "enrollment", description = "Enrollment codes, co-parent invitations, onboarding"),
        (name = "verification", description = "E-mail codes and SMS PINs"),
    )
)]
pub struct ApiDoc;
