//! Every key the use cases give the [`Cache`](calndr_ports::Cache), with its version prefix.
//! A format changes here only, and its version goes up when the stored value's format changes.

use calndr_domain::{FamilyId, UserId, WeatherQuery, YearMonth};

/// The views of a family that are read through the cache, each with its own generation
/// counter: a write to one bumps that view's generation, which retires every cached value of
/// the view for the family at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Custody months (entries and rendered bodies): custody writes, template applications,
    /// maintenance fixes and custodian renames.
    Custody,
    /// Event months: event writes.
    Events,
}

impl View {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Custody => "custody",
            Self::Events => "events",
        }
    }
}

/// A cached value of a family's view and the generation counter it is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewKey {
    pub family: FamilyId,
    pub view: View,
    /// Where the value lives.
    pub value: String,
}

impl ViewKey {
    /// `calndr:gen:v1:<family>:<view>`: the view's generation counter (a decimal integer).
    pub fn generation(&self) -> String {
        generation(self.family, self.view)
    }
}

/// `calndr:gen:v1:<family>:<view>`.
pub fn generation(family: FamilyId, view: View) -> String {
    format!("calndr:gen:v1:{family}:{}", view.as_str())
}

/// The format of [`custody_month`] as `/custody/performance/stats` shows it.
pub const CUSTODY_MONTH_FORMAT: &str = "calndr:custody:v2:<family>:<YYYY>-<MM>";

/// `calndr:custody:v2:<family>:<YYYY>-<MM>`: a month's custody entries (v2: tagged with the
/// custody generation).
pub fn custody_month(family: FamilyId, month: YearMonth) -> ViewKey {
    ViewKey {
        family,
        view: View::Custody,
        value: format!("calndr:custody:v2:{family}:{month}"),
    }
}

/// `calndr:custody:v2:<family>:<YYYY>-<MM>:rendered`: the month view as the API renders it.
pub fn custody_month_rendered(family: FamilyId, month: YearMonth) -> ViewKey {
    ViewKey {
        family,
        view: View::Custody,
        value: format!("calndr:custody:v2:{family}:{month}:rendered"),
    }
}

/// Every custody key a family can have: the entries and the rendered body of every month
/// [`YearMonth::all`] holds (7,224 keys), so clearing them leaves none of the family's months.
pub fn every_custody_month(family: FamilyId) -> Vec<String> {
    YearMonth::all()
        .flat_map(|m| {
            [
                custody_month(family, m).value,
                custody_month_rendered(family, m).value,
            ]
        })
        .collect()
}

/// `calndr:events:v2:<family>:<YYYY>-<MM>`: a month's events (v2: tagged with the events
/// generation).
pub fn events_month(family: FamilyId, month: YearMonth) -> ViewKey {
    ViewKey {
        family,
        view: View::Events,
        value: format!("calndr:events:v2:{family}:{month}"),
    }
}

/// `calndr:principal:v2:<user>`: a signed-in user's family and session cut-off.
pub fn principal(user: UserId) -> String {
    format!("calndr:principal:v2:{user}")
}

/// `calndr:sessions:v1:<user>`: the user's latest session cut-off, written after it is stored
/// and never deleted (it outlives every token it ends), so a principal another instance cached
/// from a read just before the cut-off cannot bring an ended session back.
pub fn sessions(user: UserId) -> String {
    format!("calndr:sessions:v1:{user}")
}

/// `calndr:weather:v1:<kind>:<unit>:<lat>:<lon>:<start>:<end>`: a rendered weather answer
/// (`kind` is `forecast` or `historic`; the point already rounded).
pub fn weather(kind: &str, query: &WeatherQuery) -> String {
    format!(
        "calndr:weather:v1:{kind}:{}:{:.4}:{:.4}:{}:{}",
        query.unit.as_str(),
        query.point.latitude(),
        query.point.longitude(),
        query.start,
        query.end
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_stable() {
        let family = FamilyId::random();
        let month = YearMonth::new(2025, 3).unwrap();
        let key = custody_month(family, month);
        assert_eq!(key.value, format!("calndr:custody:v2:{family}:2025-03"));
        assert_eq!(
            CUSTODY_MONTH_FORMAT
                .replace("<family>", &family.to_string())
                .replace("<YYYY>-<MM>", "2025-03"),
            key.value
        );
        assert_eq!(key.generation(), format!("calndr:gen:v1:{family}:custody"));
        assert_eq!(
            custody_month_rendered(family, month).value,
            format!("{}:rendered", key.value)
        );
        let events = events_month(family, month);
        assert_eq!(events.value, format!("calndr:events:v2:{family}:2025-03"));
        assert_eq!(
            events.generation(),
            format!("calndr:gen:v1:{family}:events")
        );
    }
}
