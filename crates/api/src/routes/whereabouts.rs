//! `GET /api/v1/custody/who` and `GET /api/v1/custody/time-share` (issue #15 item 4): who has
//! the children at a local time of the family's zone, and how a range of days was shared.
//! Registered in the custody scope (`routes::custody::configure`).

use actix_web::{web, HttpResponse};
use calndr_app::whereabouts::{TimeShare, WhoAnswer};
use calndr_domain::{parse_date, FamilyTimeZone, ValidationError, YearMonth};
use chrono::{LocalResult, NaiveDateTime, SecondsFormat, TimeZone as _};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::CurrentUser;
use crate::state::ApiState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct WhoQuery {
    /// Local time in the family's zone, `YYYY-MM-DDTHH:MM` (seconds optional), a real date of
    /// 1900-2200; now when left out. The pattern is exactly what the server accepts (leap years
    /// included).
    #[param(
        pattern = r"^(?:(?:19\d\d|2[01]\d\d|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$"
    )]
    pub at: Option<String>,
}

/// The next change of hands.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextHandoffResponse {
    /// RFC 3339 with the family zone's offset.
    pub at: String,
    pub location: Option<String>,
    /// The parent who receives the children.
    #[schema(format = Uuid)]
    pub to: String,
    pub to_first_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WhoResponse {
    /// The instant asked about, RFC 3339 with the family zone's offset.
    pub at: String,
    /// The family's IANA time zone.
    pub timezone: String,
    /// `null` when no custody day covers the instant.
    #[schema(format = Uuid)]
    pub custodian_id: Option<String>,
    pub first_name: Option<String>,
    /// Since when they have had them: the handoff, or the first recorded day after a gap;
    /// `null` when that is more than a year before.
    pub since: Option<String>,
    /// Until when: the next handoff, or the first day without a record; `null` when that is more
    /// than a year ahead.
    pub until: Option<String>,
    pub next_handoff: Option<NextHandoffResponse>,
}

/// A local time of `zone` as RFC 3339 with its offset. A time a clock change skips (02:30 on
/// the spring-forward night) is the first instant after the gap; one it repeats, the first.
fn stamp(zone: FamilyTimeZone, local: NaiveDateTime) -> String {
    let tz = zone.tz();
    let resolved = match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t),
        LocalResult::None => tz
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest(),
    };
    resolved.map_or_else(
        || local.format("%Y-%m-%dT%H:%M:%S").to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, false),
    )
}

impl From<WhoAnswer> for WhoResponse {
    fn from(a: WhoAnswer) -> Self {
        let zone = a.timezone;
        let (custodian_id, since, until, next_handoff) = match &a.stay {
            Some(s) => (
                Some(s.custodian.to_string()),
                s.since.map(|t| stamp(zone, t)),
                s.until.map(|t| stamp(zone, t)),
                s.next_handoff.as_ref().map(|h| NextHandoffResponse {
                    at: stamp(zone, h.at),
                    location: h.location.clone(),
                    to: h.to.to_string(),
                    to_first_name: a.next_name.clone().unwrap_or_default(),
                }),
            ),
            None => (None, None, None, None),
        };
        Self {
            at: stamp(zone, a.at),
            timezone: zone.name().to_owned(),
            custodian_id,
            first_name: a.custodian_name,
            since,
            until,
            next_handoff,
        }
    }
}

fn parse_at(raw: &str) -> Result<NaiveDateTime, ValidationError> {
    let bad = || ValidationError::new("at", "must be a local time YYYY-MM-DDTHH:MM");
    // Exactly the document's shape: two digits everywhere, no leap second.
    let shape = |i: usize, c: u8| match i {
        4 | 7 => c == b'-',
        10 => c == b'T',
        13 | 16 => c == b':',
        _ => c.is_ascii_digit(),
    };
    let well_formed = matches!(raw.len(), 16 | 19)
        && raw.bytes().enumerate().all(|(i, c)| shape(i, c))
        && raw.get(17..).is_none_or(|s| s < "60");
    if !well_formed {
        return Err(bad());
    }
    let t = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .ok_or_else(bad)?;
    use chrono::Datelike as _;
    // The calendar's years, as everywhere else.
    YearMonth::new(t.year(), t.month()).map_err(|_| bad())?;
    Ok(t)
}

/// Who has the children at a local time of the family's zone (now when `at` is left out):
/// before the handoff time on a handoff day, the previous parent still has them.
#[utoipa::path(get, path = "/api/v1/custody/who", tag = "custody",
    security(("bearer" = [])),
    params(WhoQuery),
    responses(
        (status = 200, description = "Who has the children, since and until when", body = WhoResponse),
        (status = 400, description = "`no_family`: the caller belongs to no family", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "`at` is not a local time", body = ErrorBody),
    ))]
pub async fn who(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<WhoQuery>,
) -> ApiResult<HttpResponse> {
    let at = query.at.as_deref().map(parse_at).transpose()?;
    let answer = state.whereabouts.who(&user.0, at).await?;
    Ok(HttpResponse::Ok().json(WhoResponse::from(answer)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TimeShareQuery {
    /// First day, `YYYY-MM-DD`.
    #[param(format = Date, pattern = r"^(19\d\d|2[01]\d\d|2200)-\d\d-\d\d$")]
    pub start: String,
    /// Last day (inclusive), `YYYY-MM-DD`; at most five years after `start`.
    #[param(format = Date, pattern = r"^(19\d\d|2[01]\d\d|2200)-\d\d-\d\d$")]
    pub end: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParentShareResponse {
    #[schema(format = Uuid)]
    pub custodian_id: String,
    pub first_name: String,
    /// Nights with this parent.
    pub overnights: u32,
    /// Percent of the recorded nights, one decimal; the parents' add up to 100.
    pub share_percent: f64,
    /// Handoffs to this parent in the range.
    pub handoffs: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeShareResponse {
    pub start: String,
    pub end: String,
    /// Days in the range.
    pub days: u32,
    /// Days of the range without a custody record.
    pub unrecorded_days: u32,
    pub parents: Vec<ParentShareResponse>,
}

impl From<TimeShare> for TimeShareResponse {
    fn from(t: TimeShare) -> Self {
        Self {
            start: t.start.to_string(),
            end: t.end.to_string(),
            days: t.days,
            unrecorded_days: t.unrecorded_days,
            parents: t
                .parents
                .into_iter()
                .map(|p| ParentShareResponse {
                    custodian_id: p.custodian.to_string(),
                    first_name: p.first_name,
                    overnights: p.share.overnights,
                    share_percent: f64::from(p.share.per_mille) / 10.0,
                    handoffs: p.share.handoffs,
                })
                .collect(),
        }
    }
}

/// Overnights, share of the nights (percent, one decimal, summing to 100) and handoffs per
/// parent over `[start, end]`, at most five years.
#[utoipa::path(get, path = "/api/v1/custody/time-share", tag = "custody",
    security(("bearer" = [])),
    params(TimeShareQuery),
    responses(
        (status = 200, description = "Each parent's share of the range", body = TimeShareResponse),
        (status = 400, description = "`no_family`: the caller belongs to no family", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A date is invalid, `end` is before `start`, or the range is longer than five years", body = ErrorBody),
    ))]
pub async fn time_share(
    user: CurrentUser,
    state: web::Data<ApiState>,
    query: web::Query<TimeShareQuery>,
) -> ApiResult<HttpResponse> {
    let start = parse_date(&query.start, "start")?;
    let end = parse_date(&query.end, "end")?;
    let share = state.whereabouts.time_share(&user.0, start, end).await?;
    Ok(HttpResponse::Ok().json(TimeShareResponse::from(share)))
}
