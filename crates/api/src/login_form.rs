//! The `/auth/token` body as the app really sends it (contract 1.6): `username=<v>&password=<v>`
//! with each value percent-encoded by the URL-*host* character set, which leaves `+` and `&`
//! unencoded. A standard form parser would turn `+` into a space and split a password at `&`.

use percent_encoding::percent_decode_str;

use crate::error::{ApiError, ErrorCode};

/// What the login use case receives: the username and the password readings to try, in order.
#[derive(Debug, PartialEq, Eq)]
pub struct LoginForm {
    pub username: String,
    /// The literal reading first; a second reading (`+` as space) only when the body may come
    /// from a standard form encoder and the password holds a `+`.
    pub passwords: Vec<String>,
}

fn decode_literal(raw: &str) -> Result<String, ApiError> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ApiError::new(ErrorCode::MalformedBody, "Form values must be UTF-8"))
}

const OTHER_FIELDS: [&str; 4] = ["&grant_type=", "&scope=", "&client_id=", "&client_secret="];

pub fn parse(body: &[u8]) -> Result<LoginForm, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(ErrorCode::MalformedBody, "Form body must be UTF-8"))?;
    let text = text.trim_end_matches(['\r', '\n']);

    // The app's layout: username first, password last, nothing after it.
    if let Some(rest) = text.strip_prefix("username=") {
        if let Some((user, pass)) = rest.split_once("&password=") {
            if !OTHER_FIELDS.iter().any(|f| pass.contains(f)) {
                let username = decode_literal(user)?;
                let literal = decode_literal(pass)?;
                let mut passwords = vec![literal.clone()];
                if pass.contains('+') {
                    passwords.push(decode_literal(&pass.replace('+', " "))?);
                }
                return finish(username, passwords);
            }
        }
    }

    // Any other layout: a standard `application/x-www-form-urlencoded` body.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(text)
        .map_err(|_| ApiError::new(ErrorCode::MalformedBody, "Malformed form body"))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    if let Some(grant) = get("grant_type") {
        if !grant.is_empty() && grant != "password" {
            return Err(ApiError::validation("grant_type", "must be \"password\""));
        }
    }
    let username =
        get("username").ok_or_else(|| ApiError::validation("username", "field required"))?;
    let password =
        get("password").ok_or_else(|| ApiError::validation("password", "field required"))?;
    finish(username, vec![password])
}

fn finish(username: String, passwords: Vec<String>) -> Result<LoginForm, ApiError> {
    if username.trim().is_empty() {
        return Err(ApiError::validation("username", "field required"));
    }
    if passwords.iter().all(String::is_empty) {
        return Err(ApiError::validation("password", "field required"));
    }
    Ok(LoginForm {
        username,
        passwords,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_plus_and_ampersand_the_app_leaves_unencoded() {
        let f = parse(b"username=jane+kids%40example.com&password=a+b&c=d").unwrap();
        assert_eq!(f.username, "jane+kids@example.com");
        assert_eq!(
            f.passwords,
            vec!["a+b&c=d".to_owned(), "a b&c=d".to_owned()]
        );
    }

    #[test]
    fn reads_standard_forms_in_any_order() {
        let f = parse(b"grant_type=password&password=p%26w+x&username=a%40b.co").unwrap();
        assert_eq!(f.username, "a@b.co");
        assert_eq!(f.passwords, vec!["p&w x".to_owned()]);
        assert!(parse(b"grant_type=client&username=a&password=b").is_err());
        assert!(parse(b"username=a%40b.co").is_err());
        assert!(parse(b"password=x").is_err());
    }

    /// The form decoder fuzzed (`make fuzz` runs it longer): any bytes answer without a panic,
    /// and any username and password, encoded as the app or a standard encoder would, sign in
    /// with exactly those values.
    mod fuzz {
        use super::super::parse;
        use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
        use proptest::prelude::*;

        /// The URL-host set the app encodes with: `+` and `&` stay as they are.
        const APP: &AsciiSet = &CONTROLS
            .add(b' ')
            .add(b'"')
            .add(b'#')
            .add(b'<')
            .add(b'>')
            .add(b'?')
            .add(b'`')
            .add(b'{')
            .add(b'}')
            .add(b'%')
            .add(b'/')
            .add(b'=');

        fn config() -> ProptestConfig {
            ProptestConfig {
                failure_persistence: None,
                ..ProptestConfig::default()
            }
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn fuzz_form_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..2048)) {
                if let Ok(form) = parse(&body) {
                    prop_assert!(!form.username.trim().is_empty());
                    prop_assert!((1..=2).contains(&form.passwords.len()));
                    prop_assert!(form.passwords.iter().all(|p| p.len() <= body.len()));
                }
            }

            #[test]
            fn fuzz_form_near_valid_bodies(parts in prop::collection::vec(
                prop_oneof![
                    Just("username=".to_owned()), Just("&password=".to_owned()),
                    Just("&grant_type=".to_owned()), Just("password".to_owned()),
                    Just("+".to_owned()), Just("&".to_owned()), Just("%".to_owned()),
                    "%[0-9A-Fa-f]{0,2}", ".{0,12}",
                ], 0..16)) {
                let body = parts.concat();
                if let Ok(form) = parse(body.as_bytes()) {
                    prop_assert!(!form.username.trim().is_empty());
                    prop_assert!((1..=2).contains(&form.passwords.len()));
                }
            }

            #[test]
            fn fuzz_form_app_and_standard_encodings_round_trip(
                user in "[^\\s][^\u{0}]{0,30}", pass in "[^\u{0}]{1,30}",
            ) {
                prop_assume!(!user.trim().is_empty());
                let app = format!(
                    "username={}&password={}",
                    utf8_percent_encode(&user, APP),
                    utf8_percent_encode(&pass, APP),
                );
                if let Ok(form) = parse(app.as_bytes()) {
                    prop_assert_eq!(&form.passwords[0], &pass);
                    prop_assert_eq!(form.username, user.clone());
                } else {
                    prop_assert!(false, "app body refused: {app}");
                }
                let standard = serde_urlencoded::to_string([
                    ("grant_type", "password"), ("username", &user), ("password", &pass),
                ]).unwrap_or_default();
                let form = parse(standard.as_bytes());
                prop_assert!(form.is_ok(), "standard body refused: {standard}");
                if let Ok(form) = form {
                    prop_assert_eq!(form.username, user);
                    prop_assert!(form.passwords.contains(&pass));
                }
            }
        }
    }
}
