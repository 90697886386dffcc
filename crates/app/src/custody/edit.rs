//! Custody writes by the parents: create, update by date or id (spec 3.1), bulk; and the
//! custody-change push.

use std::collections::BTreeSet;

use calndr_domain::handoffs::{bulk_days, created_day, edited_day, pred, succ, with_next_day};
use calndr_domain::{CustodyId, CustodyInput, FamilyMember, Timeline, ValidationError};
use calndr_ports::{PushMessage, StoreError};
use chrono::NaiveDate;
use serde_json::json;
use tracing::{info, warn};

use super::{
    date_conflict, not_a_member, CustodyEntry, CustodyService, Names, MAX_APPLY_DAYS, UNKNOWN,
};
use crate::{AppError, Principal};

impl CustodyService {
    /// `POST /custody/`: a new day. `Conflict` when the date has a record.
    pub async fn create(
        &self,
        who: &Principal,
        input: CustodyInput,
    ) -> Result<CustodyEntry, AppError> {
        let date = input.date;
        self.write_one(
            who,
            input,
            "custody day created",
            move |input, tl, names| {
                if tl.contains_key(&date) {
                    return Err(StoreError::Conflict("date"));
                }
                Ok(created_day(input, tl, &|id| names.get(id)))
            },
        )
        .await
    }

    /// `PUT /custody/date/{date}`: the spec 3.1 algorithm. `NotFound` when the date has no
    /// record (the app then falls back to `POST /custody/`).
    pub async fn update_by_date(
        &self,
        who: &Principal,
        date: NaiveDate,
        input: CustodyInput,
    ) -> Result<CustodyEntry, AppError> {
        let input = CustodyInput { date, ..input };
        self.write_one(
            who,
            input,
            "custody day updated",
            move |input, tl, names| {
                if !tl.contains_key(&date) {
                    return Err(StoreError::NotFound);
                }
                Ok(edited_day(input, date, tl, &|id| names.get(id)))
            },
        )
        .await
    }

    /// `PUT /custody/{id}`: the same as by date, for the record's own date (the body's date is
    /// ignored). `NotFound` for an unknown id or another family's.
    pub async fn update_by_id(
        &self,
        who: &Principal,
        id: CustodyId,
        input: CustodyInput,
    ) -> Result<CustodyEntry, AppError> {
        let family = who.family()?;
        let record = self
            .deps
            .custody
            .record(family, id)
            .await?
            .ok_or(AppError::NotFound("Custody record"))?;
        self.update_by_date(who, record.day.date, input).await
    }

    /// One day written by a parent: `day` decides the day from the stored window (or refuses);
    /// the next day's handoff follows; the other parents get the push, queued with the days.
    async fn write_one<F>(
        &self,
        who: &Principal,
        input: CustodyInput,
        done: &'static str,
        day: F,
    ) -> Result<CustodyEntry, AppError>
    where
        F: Fn(&CustodyInput, &Timeline, &Names) -> Result<calndr_domain::CustodyDay, StoreError>
            + Send
            + Sync,
    {
        let family = who.family()?;
        let members = self.members(family).await?;
        let names = Names::of(&members);
        if !names.contains(input.custodian) {
            return Err(not_a_member());
        }
        let date = input.date;
        let custodian_name = names
            .get(input.custodian)
            .unwrap_or_else(|| UNKNOWN.to_owned());
        let pushes = if self.deps.push.sender().configured() {
            change_pushes(who, &members, date, &custodian_name)
        } else {
            Vec::new()
        };
        let pushes = self.deps.push.hand_off(pushes)?;
        let plan = |tl: &Timeline| {
            let day = day(&input, tl, &names)?;
            Ok(with_next_day(day, tl, &|id| names.get(id)))
        };
        let written = self
            .write(
                family,
                who.user_id,
                (pred(date), succ(date)),
                &plan,
                &pushes.jobs,
            )
            .await
            .map_err(date_conflict)?;
        let record = written
            .into_iter()
            .find(|r| r.day.date == date)
            .ok_or_else(|| AppError::Unexpected("written day missing".into()))?;
        info!(user.id = %who.user_id, pushes = pushes.jobs.len(), "{done}");
        self.send_direct(pushes.direct).await;
        Ok(names.entry(record))
    }

    /// `POST /custody/bulk`: all the days or none. Existing dates are replaced; handoffs are
    /// recomputed over the merged timeline. Returns the number of days in the batch.
    pub async fn bulk(
        &self,
        who: &Principal,
        inputs: Vec<CustodyInput>,
    ) -> Result<usize, AppError> {
        let family = who.family()?;
        if inputs.is_empty() {
            return Ok(0);
        }
        let members = self.members(family).await?;
        let names = Names::of(&members);
        let mut dates = BTreeSet::new();
        for i in &inputs {
            if !names.contains(i.custodian) {
                return Err(not_a_member());
            }
            if !dates.insert(i.date) {
                return Err(ValidationError::new("date", "appears twice in the batch").into());
            }
        }
        let (Some(&min), Some(&max)) = (dates.first(), dates.last()) else {
            return Ok(0);
        };
        if (max - min).num_days() > MAX_APPLY_DAYS {
            return Err(ValidationError::new(
                "date",
                format!("a batch may span at most {MAX_APPLY_DAYS} days"),
            )
            .into());
        }
        let plan = |tl: &Timeline| Ok(bulk_days(tl, &inputs, &|id| names.get(id)));
        self.write(family, who.user_id, (pred(min), succ(max)), &plan, &[])
            .await
            .map_err(date_conflict)?;
        info!(user.id = %who.user_id, days = inputs.len(), "custody days written in bulk");
        Ok(inputs.len())
    }

    /// Sends the pushes that were not queued with the write (no queue in use). Best effort: a
    /// failed push is logged (ids only) and never fails the write.
    async fn send_direct(&self, pushes: Vec<PushMessage>) {
        for message in pushes {
            let recipient = message.recipient;
            if let Err(e) = self.deps.push.sender().send(message).await {
                warn!(user.id = %recipient, error = %e, "custody-change push not sent");
            }
        }
    }
}

/// The custody-change push (spec 3.1) of `date`, now `custodian_name`'s, to every other member
/// with a registered device.
fn change_pushes(
    who: &Principal,
    members: &[FamilyMember],
    date: NaiveDate,
    custodian_name: &str,
) -> Vec<PushMessage> {
    let sender = members
        .iter()
        .find(|m| m.user.id == who.user_id)
        .map(|m| m.user.first_name.as_str().to_owned())
        .unwrap_or_default();
    let when = date.format("%A, %B %-d").to_string();
    let payload = json!({
        "aps": {
            "alert": {
                "title": "\u{1F4C5} Schedule Updated",
                "subtitle": format!("{custodian_name} now has custody"),
                "body": format!(
                    "{sender} changed the schedule for {when}. Tap to manage your schedule."
                ),
            },
            "sound": "default",
            "badge": 1,
            "category": "CUSTODY_CHANGE",
        },
        "type": "custody_change",
        "date": date.format("%Y-%m-%d").to_string(),
        "custodian": custodian_name,
        "sender": sender,
        "deep_link": "calndr://schedule",
    });
    members
        .iter()
        .filter(|m| m.user.id != who.user_id)
        .filter_map(|m| {
            Some(PushMessage {
                recipient: m.user.id,
                device_token: m.device_token.clone()?,
                payload: payload.clone(),
            })
        })
        .collect()
}
