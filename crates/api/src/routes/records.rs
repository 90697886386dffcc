//! Route table of the family records: events, reminders, journal, alert e-mails, group chat.
//! Paths without a trailing slash (both spellings are served).

use actix_web::middleware::from_fn;
use actix_web::web;

use crate::routes::{events, group_chat, journal, notifications, reminders};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/events")
            .route("", web::get().to(events::range))
            .route(
                "",
                web::post()
                    .to(events::create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/school", web::get().to(events::school_range))
            .route("/daycare", web::get().to(events::daycare_range))
            .route(
                "/school/{year}/{month}",
                web::get().to(events::school_month),
            )
            .route(
                "/daycare/{year}/{month}",
                web::get().to(events::daycare_month),
            )
            .route("/{year}/{month}", web::get().to(events::month))
            .route("/{event_id}", web::put().to(events::update))
            .route("/{event_id}", web::delete().to(events::delete)),
    )
    .service(
        web::scope("/api/v1/reminders")
            .route("", web::get().to(reminders::list))
            .route(
                "",
                web::post()
                    .to(reminders::create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/{date}", web::get().to(reminders::by_date))
            .route("/{reminder_id}", web::put().to(reminders::update))
            .route("/{reminder_id}", web::delete().to(reminders::delete)),
    )
    .service(
        web::scope("/api/v1/journal")
            .route("", web::get().to(journal::list))
            .route(
                "",
                web::post()
                    .to(journal::create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/{entry_id}", web::get().to(journal::get))
            .route("/{entry_id}", web::put().to(journal::update))
            .route("/{entry_id}", web::delete().to(journal::delete)),
    )
    .service(
        web::scope("/api/v1/notifications")
            .route("/emails", web::get().to(notifications::list))
            .route(
                "/emails",
                web::post()
                    .to(notifications::add)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/emails/{email_id}", web::put().to(notifications::update))
            .route(
                "/emails/{email_id}",
                web::delete().to(notifications::delete),
            ),
    )
    .route(
        "/api/v1/group-chat",
        web::post().to(group_chat::create_or_get),
    );
}
