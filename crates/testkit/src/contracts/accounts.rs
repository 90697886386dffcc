//! The `AccountStore` contract.

use calndr_domain::{
    EmailAddress, FamilyId, PasswordHash, PersonName, ProfileChanges, ShortText, UserId,
};
use calndr_ports::{Storage, StoreError};
use chrono::Utc;

use super::{new_account, new_user};

/// Registration writes family and user together; e-mails are unique case-insensitively, and the
/// exact spelling is found either way.
pub async fn registration_and_email_uniqueness(s: Storage) {
    let store = s.accounts;
    let acc = new_account("Jane", "Jane.Doe@Example.com");
    let family = acc.family.id;
    let user = store.create_account(acc).await.expect("create");
    assert_eq!(user.family_id, Some(family));
    assert_eq!(user.enrolled, Some(false));
    assert_eq!(user.subscription_type.as_deref(), Some("Free"));
    let dup = store
        .create_account(new_account("Other", "jane.doe@example.COM"))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict("email"))), "{dup:?}");
    let found = store
        .user_by_email(&EmailAddress::parse("JANE.DOE@example.com").expect("email"))
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(found.id, user.id);
    let prefs = store.preferences(user.id).await.expect("prefs");
    assert_eq!(prefs.theme.as_deref(), Some("default"));
    assert!(store
        .user_by_id(UserId::random())
        .await
        .expect("lookup")
        .is_none());
}

/// Two accounts, each in a family of their own.
async fn host_and_guest(
    store: &dyn calndr_ports::AccountStore,
) -> (calndr_domain::User, calndr_domain::User) {
    let mut made = Vec::new();
    for name in ["Host", "Guest"] {
        let email = format!("{}-{}@example.com", name.to_lowercase(), UserId::random());
        made.push(
            store
                .create_account(new_account(name, &email))
                .await
                .expect("account"),
        );
    }
    let guest = made.pop().expect("guest");
    let host = made.pop().expect("host");
    (host, guest)
}

/// Joining a family moves the user, sets the enrolled flags and marks the inviter.
pub async fn joining_a_family(s: Storage) {
    let store = s.accounts;
    let (host, guest) = host_and_guest(store.as_ref()).await;
    let family = host.family_id.expect("family");
    let joined = store
        .join_family(guest.id, family, Some(host.id), Utc::now())
        .await
        .expect("join");
    assert_eq!(joined.family_id, Some(family));
    assert_eq!(joined.enrolled, Some(true));
    assert_eq!(joined.coparent_enrolled, Some(true));
    let host = store
        .user_by_id(host.id)
        .await
        .expect("lookup")
        .expect("host");
    assert_eq!(host.coparent_enrolled, Some(true));
    let missing = store
        .join_family(guest.id, FamilyId::random(), None, Utc::now())
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");

    let member = new_user(
        "Member",
        &format!("member-{}@example.com", UserId::random()),
    );
    let member = store
        .create_member(member, family, Some(host.id))
        .await
        .expect("member");
    assert_eq!(member.family_id, Some(family));
    assert_eq!(member.enrolled, Some(true));
    let member_prefs = store.preferences(member.id).await.expect("prefs");
    assert_eq!(member_prefs.theme.as_deref(), Some("default"));
    let orphan = store
        .create_member(
            new_user("X", "orphan@example.com"),
            FamilyId::random(),
            None,
        )
        .await;
    assert!(matches!(orphan, Err(StoreError::NotFound)), "{orphan:?}");
}

/// Leaving moves the member into the new family with the flags of a fresh registration, leaves
/// the remaining member without a co-parent, and refuses the last member and the family-less.
pub async fn leaving_a_family(s: Storage) {
    use calndr_domain::NewFamily;
    use calndr_ports::FamilyDeparture;

    let store = s.accounts;
    let (host, guest) = host_and_guest(store.as_ref()).await;
    let family = host.family_id.expect("family");
    store
        .join_family(guest.id, family, Some(host.id), Utc::now())
        .await
        .expect("join");
    let fresh = NewFamily::for_first_member(&guest.first_name);
    let fresh_id = fresh.id;
    let left = store
        .leave_family(guest.id, fresh, Utc::now())
        .await
        .expect("leave");
    let FamilyDeparture::Left { old_family } = left else {
        panic!("expected Left, got {left:?}");
    };
    assert_eq!(old_family, family);
    let user = store
        .user_by_id(guest.id)
        .await
        .expect("guest")
        .expect("guest");
    assert_eq!(user.family_id, Some(fresh_id));
    assert_eq!(
        (user.enrolled, user.coparent_enrolled),
        (Some(false), Some(false))
    );
    let host = store
        .user_by_id(host.id)
        .await
        .expect("host")
        .expect("host");
    assert_eq!(host.family_id, Some(family));
    assert_eq!(host.coparent_enrolled, Some(false));
    for who in [host.id, guest.id] {
        let again = store
            .leave_family(
                who,
                NewFamily::for_first_member(&host.first_name),
                Utc::now(),
            )
            .await
            .expect("leave alone");
        assert!(matches!(again, FamilyDeparture::OnlyMember), "{again:?}");
    }
    let ghost = store
        .leave_family(
            UserId::random(),
            NewFamily::for_first_member(&host.first_name),
            Utc::now(),
        )
        .await;
    assert!(matches!(ghost, Err(StoreError::NotFound)), "{ghost:?}");
}

/// A provider's refresh token is kept per user and provider, replaced by a newer one, and gone
/// with the account.
pub async fn identity_tokens(s: Storage) {
    use calndr_domain::{IdentityProvider, ProviderRefreshToken};

    let store = s.accounts;
    let (user, other) = host_and_guest(store.as_ref()).await;
    let token = |t: &str| ProviderRefreshToken::new(t).expect("token");
    let apple = IdentityProvider::Apple;
    assert_eq!(
        store.identity_token(user.id, apple).await.expect("read"),
        None
    );
    for t in ["r-1", "r-2"] {
        store
            .set_identity_token(user.id, apple, &token(t), Utc::now())
            .await
            .expect("keep");
    }
    assert_eq!(
        store.identity_token(user.id, apple).await.expect("read"),
        Some(token("r-2"))
    );
    assert_eq!(
        store.identity_token(other.id, apple).await.expect("read"),
        None
    );
    let missing = store
        .set_identity_token(UserId::random(), apple, &token("r-3"), Utc::now())
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    store
        .delete_account(user.id, Utc::now(), &[])
        .await
        .expect("delete");
    assert_eq!(
        store.identity_token(user.id, apple).await.expect("read"),
        None
    );
}

/// Profile updates change only what is given; writes to unknown users are `NotFound`.
pub async fn profile_updates(s: Storage) {
    let store = s.accounts;
    let user = store
        .create_account(new_account(
            "Pat",
            &format!("pat-{}@example.com", UserId::random()),
        ))
        .await
        .expect("create");
    let changes = ProfileChanges {
        last_name: Some(PersonName::parse("Newname", "last_name").expect("name")),
        bio: Some(ShortText::parse("Two kids, one dog", "bio", 1000).expect("bio")),
        enrolled: Some(true),
        ..ProfileChanges::default()
    };
    let updated = store
        .update_profile(user.id, &changes, Utc::now())
        .await
        .expect("update");
    assert_eq!(updated.first_name.as_str(), "Pat");
    assert_eq!(updated.last_name.as_str(), "Newname");
    assert_eq!(updated.enrolled, Some(true));
    assert_eq!(
        store
            .preferences(user.id)
            .await
            .expect("prefs")
            .bio
            .as_deref(),
        Some("Two kids, one dog")
    );
    let ghost = UserId::random();
    assert!(matches!(
        store.update_profile(ghost, &changes, Utc::now()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.record_sign_in(ghost, Utc::now()).await,
        Err(StoreError::NotFound)
    ));
    let hash = PasswordHash::from_stored("$argon2id$v=19$new".into());
    store
        .set_password_hash(user.id, &hash, Utc::now(), None)
        .await
        .expect("hash");
    let reread = store
        .user_by_id(user.id)
        .await
        .expect("lookup")
        .expect("user");
    assert_eq!(reread.password_hash, Some(hash));
}

/// A session cut-off is stored with the user (exactly, to the microsecond), lands with a new
/// password in one write, replaces the earlier one, and a re-hash after a login leaves it alone.
pub async fn session_cutoffs(s: Storage) {
    use calndr_domain::SessionCutoff;
    let store = s.accounts;
    let user = store
        .create_account(new_account("Cut", "cut.off@example.com"))
        .await
        .expect("create");
    assert_eq!(user.sessions, None, "a new user has every session open");
    let at = Utc::now();
    let kept = at - chrono::Duration::minutes(5);
    let change = SessionCutoff::all_but(at, kept);
    let hash = PasswordHash::from_stored(
        "$2b$04$abcdefghijklmnopqrstuu5Gh3HhVb8UeTCv8QU4nwLr0Ofb3yyNe".into(),
    );
    store
        .set_password_hash(user.id, &hash, at, Some(change))
        .await
        .expect("change");
    let stored = store
        .user_by_id(user.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(stored.sessions, Some(change));
    assert_eq!(
        stored.password_hash.as_ref().map(PasswordHash::as_str),
        Some(hash.as_str())
    );
    let rehash = PasswordHash::from_stored(
        "$2b$04$zyxwvutsrqponmlkjihgfeFm0uUeXhcXb4l3kJzq7k8Pq8cxr6dDa".into(),
    );
    store
        .set_password_hash(user.id, &rehash, at, None)
        .await
        .expect("rehash");
    let stored = store
        .user_by_id(user.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(stored.sessions, Some(change), "a re-hash ends no session");
    let everywhere = SessionCutoff::all(at + chrono::Duration::seconds(1));
    store.end_sessions(user.id, everywhere).await.expect("end");
    let stored = store
        .user_by_id(user.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(stored.sessions, Some(everywhere));
    assert!(matches!(
        store.end_sessions(UserId::random(), everywhere).await,
        Err(StoreError::NotFound)
    ));
}
