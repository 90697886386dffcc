//! The weekly digest: for every family with alert addresses (`/notifications/emails`), one e-mail
//! with the coming week — who has the children each day, the handoffs (time and place) and the
//! family's events — in text and HTML. `calndr digest` sends it (a weekly scheduled task); with
//! a configured mail service the messages go through the job queue like every e-mail.

use std::collections::HashMap;
use std::sync::Arc;

use calndr_domain::{DateRange, FamilyId, UserId};
use calndr_ports::{
    CustodyStore, EventStore, FamilyStore, Mailer, NotificationEmailStore, OutgoingEmail,
};
use chrono::{Duration, NaiveDate};
use tracing::{info, warn};

use crate::enrollment::escape_html;
use crate::AppError;

#[derive(Clone)]
pub struct DigestDeps {
    pub emails: Arc<dyn NotificationEmailStore>,
    pub custody: Arc<dyn CustodyStore>,
    pub family: Arc<dyn FamilyStore>,
    pub events: Arc<dyn EventStore>,
    pub mailer: Arc<dyn Mailer>,
}

#[derive(Clone)]
pub struct DigestService {
    deps: DigestDeps,
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestReport {
    pub families: usize,
    pub emails: usize,
    pub failures: usize,
}

/// One day of the digest.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestDay {
    pub date: NaiveDate,
    pub custodian: Option<String>,
    /// "17:00 at daycare" when the children change hands that day.
    pub handoff: Option<String>,
    pub events: Vec<String>,
}

/// The message for one family's week.
pub fn render_digest(days: &[DigestDay]) -> (String, String, String) {
    let (first, last) = match (days.first(), days.last()) {
        (Some(f), Some(l)) => (f.date, l.date),
        _ => return ("Your Calndr week".into(), String::new(), String::new()),
    };
    let subject = format!(
        "Your Calndr week: {} – {}",
        first.format("%b %-d"),
        last.format("%b %-d")
    );
    let mut text = format!("{subject}\n\n");
    let mut html = format!("<h2>{}</h2><table>", escape_html(&subject));
    for d in days {
        let who = d.custodian.as_deref().unwrap_or("not set");
        let mut line = format!("{}: {who}", d.date.format("%a %b %-d"));
        let mut cell = escape_html(who);
        if let Some(h) = &d.handoff {
            line.push_str(&format!(" (handoff {h})"));
            cell.push_str(&format!(" <em>(handoff {})</em>", escape_html(h)));
        }
        for e in &d.events {
            line.push_str(&format!("; {e}"));
            cell.push_str(&format!("<br>{}", escape_html(e)));
        }
        text.push_str(&line);
        text.push('\n');
        html.push_str(&format!(
            "<tr><td>{}</td><td>{cell}</td></tr>",
            d.date.format("%a %b %-d")
        ));
    }
    text.push_str("\nOpen Calndr to change the schedule.\n");
    html.push_str("</table><p>Open Calndr to change the schedule.</p>");
    (subject, text, html)
}

impl DigestService {
    pub fn new(deps: DigestDeps) -> Self {
        Self { deps }
    }

    async fn week(&self, family: FamilyId, from: NaiveDate) -> Result<Vec<DigestDay>, AppError> {
        let to = from + Duration::days(6);
        let names: HashMap<UserId, String> = self
            .deps
            .family
            .members(family)
            .await?
            .into_iter()
            .map(|m| (m.user.id, m.user.first_name.as_str().to_owned()))
            .collect();
        let custody: HashMap<NaiveDate, calndr_domain::CustodyDay> = self
            .deps
            .custody
            .days(family, from, to)
            .await?
            .into_iter()
            .map(|r| (r.day.date, r.day))
            .collect();
        let range = DateRange::new(from, to)?;
        let mut events: HashMap<NaiveDate, Vec<String>> = HashMap::new();
        for e in self.deps.events.events_in_range(family, range).await? {
            if let Some(c) = e.content {
                events
                    .entry(e.date)
                    .or_default()
                    .push(c.as_str().to_owned());
            }
        }
        Ok((0..7)
            .map(|i| {
                let date = from + Duration::days(i);
                let day = custody.get(&date);
                DigestDay {
                    date,
                    custodian: day.and_then(|d| names.get(&d.custodian).cloned()),
                    handoff: day.filter(|d| d.handoff_day).map(|d| {
                        let time = d.handoff_time.map(|t| t.to_string());
                        match (time, &d.handoff_location) {
                            (Some(t), Some(p)) => format!("{t} at {p}"),
                            (Some(t), None) => t,
                            (None, Some(p)) => format!("at {p}"),
                            (None, None) => "this day".into(),
                        }
                    }),
                    events: events.remove(&date).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// Sends the week starting `from` to every family's alert addresses. A family that fails
    /// does not stop the others.
    pub async fn send_weekly(&self, from: NaiveDate) -> Result<DigestReport, AppError> {
        let mut report = DigestReport::default();
        for family in self.deps.emails.families_with_notification_emails().await? {
            report.families += 1;
            let week = match self.week(family, from).await {
                Ok(w) => w,
                Err(e) => {
                    warn!(family.id = %family, error = %e, "digest not built");
                    report.failures += 1;
                    continue;
                }
            };
            let (subject, text, html) = render_digest(&week);
            for to in self.deps.emails.notification_emails(family).await? {
                let email = OutgoingEmail {
                    to: to.email,
                    subject: subject.clone(),
                    text: text.clone(),
                    html: html.clone(),
                };
                match self.deps.mailer.send(email).await {
                    Ok(()) => report.emails += 1,
                    Err(e) => {
                        warn!(family.id = %family, error = %e, "digest not sent");
                        report.failures += 1;
                    }
                }
            }
        }
        info!(
            families = report.families,
            emails = report.emails,
            failures = report.failures,
            "weekly digest"
        );
        Ok(report)
    }
}
