//! Calndr's calls to outside HTTP services.
//!
//! * [`guard::SafeFetcher`]: the only way to fetch a URL a user supplied (SSRF rules inside).
//! * [`identity::ProviderIdentity`]: Apple, Google and Facebook sign-in, verified.
//! * [`apns::Apns`]: push notifications over APNs (HTTP/2, provider token).
//! * [`places::GooglePlaces`]: place search for daycares, schools and doctors.
//! * [`calendars::WebCalendars`]: school and daycare calendars (HTML pages, iCalendar feeds).
//! * [`smtp::SmtpMailer`]: e-mail over plain SMTP to a local mail catcher (development).
//! * [`weather::OpenMeteo`]: the [`calndr_ports::WeatherSource`] over Open-Meteo.

pub mod apns;
pub mod calendars;
pub mod guard;
pub mod identity;
pub mod places;
mod retry;
pub mod smtp;
pub mod weather;

pub use apns::{Apns, ApnsConfig};
pub use calendars::WebCalendars;
pub use guard::{forbidden_reason, FetchError, FetchLimits, Fetched, SafeFetcher};
pub use identity::{AppleConfig, AppleToken, FacebookConfig, GoogleConfig, ProviderIdentity};
pub use places::{GooglePlaces, GooglePlacesConfig};
pub use smtp::{SmtpConfig, SmtpMailer};
pub use weather::{NoWeather, OpenMeteo, OpenMeteoConfig};
