//! Route table of the family circle (children, babysitters, emergency contacts, medications)
//! and the themes. Paths without a trailing slash (both spellings are served); static segments
//! before `/{id}`. The pieces their handlers share are in [`super::people`], so the handler
//! modules never import this table back.

use actix_web::middleware::from_fn;
use actix_web::web;

use crate::routes::{babysitters, children, emergency_contacts, medications, themes};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1/children")
            .route("", web::get().to(children::list))
            .route(
                "",
                web::post()
                    .to(children::create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/{child_id}", web::put().to(children::update))
            .route("/{child_id}", web::delete().to(children::delete)),
    )
    .service(
        web::scope("/api/v1/babysitters")
            .route("", web::get().to(babysitters::list))
            .route(
                "",
                web::post()
                    .to(babysitters::create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/{babysitter_id}", web::put().to(babysitters::update))
            .route("/{babysitter_id}", web::delete().to(babysitters::delete)),
    )
    .service(
        web::scope("/api/v1/emergency-contacts")
            .route("", web::get().to(emergency_contacts::list))
            .route(
                "",
                web::post()
                    .to(emergency_contacts::create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/{contact_id}", web::put().to(emergency_contacts::update))
            .route(
                "/{contact_id}",
                web::delete().to(emergency_contacts::delete),
            ),
    )
    .service(
        // `/presets`, `/active` and `/reminders` before `/{medication_id}`: the original
        // declared them after it, so they were unreachable (422).
        web::scope("/api/v1/medications")
            .route("", web::get().to(medications::list))
            .route(
                "",
                web::post()
                    .to(medications::create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route("/presets", web::get().to(medications::presets))
            .route("/active", web::get().to(medications::active))
            .route("/reminders", web::get().to(medications::reminders))
            .route("/{medication_id}", web::get().to(medications::get))
            .route("/{medication_id}", web::put().to(medications::update))
            .route("/{medication_id}", web::delete().to(medications::delete)),
    )
    .service(
        web::scope("/api/v1/themes")
            .route("", web::get().to(themes::list))
            .route(
                "",
                web::post()
                    .to(themes::create)
                    .wrap(from_fn(crate::idempotency::idempotent)),
            )
            .route(
                "/set-preference/{theme_id}",
                web::put().to(themes::set_preference),
            )
            .route("/{theme_id}", web::put().to(themes::update))
            .route("/{theme_id}", web::delete().to(themes::delete)),
    );
}
