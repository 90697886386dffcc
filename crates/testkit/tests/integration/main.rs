//! All integration tests of the workspace, in one binary (one link, one template database).
//!
//! Postgres at 127.0.0.1:5432 and Redis at 127.0.0.1:6379 must be running (see README);
//! override with CALNDR_TEST_DATABASE_URL / CALNDR_TEST_REDIS_URL.

#![expect(
    clippy::expect_used,
    reason = "test helpers fail the test loudly when a fixture cannot be set up"
)]

mod account_deletion;
mod accounts;
mod auth_routes;
mod aws_services;
mod calendars;
mod children;
mod contracts;
mod custody;
mod digest;
mod enrollment;
mod error_codes;
mod events;
mod export;
mod family;
mod family_leave;
mod family_settings;
mod faults;
mod group_chat;
mod health;
mod idempotency;
mod isolation;
mod jobs;
mod journal;
mod limits;
mod medical;
mod medications;
mod migrations;
mod notification_emails;
mod openapi;
mod password_reset;
mod places;
mod providers;
mod push;
mod read_through;
mod reminders;
mod s3_fake;
mod sessions;
mod sitters;
mod social;
mod support;
mod templates;
mod themes;
mod tokens;
mod users_routes;
mod verification;
mod weather;
mod whereabouts;
