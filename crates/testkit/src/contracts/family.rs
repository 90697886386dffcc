//! The `FamilyStore` contract.

use calndr_domain::UserId;
use calndr_ports::{Storage, StoreError};

use super::{family, new_user};

/// Members in creation order; the legacy invite adds an invited member without a password and
/// refuses a taken e-mail.
pub async fn family_members(s: Storage) {
    let (host, f) = family(&s, "Host").await;
    let host = host.id;
    let invited = s
        .family
        .add_invited_member(f, {
            let mut u = new_user("Ivy", &format!("ivy-{}@example.com", UserId::random()));
            u.password_hash = None;
            u
        })
        .await
        .expect("invite");
    assert_eq!(
        invited.status.as_ref().map(|st| st.as_str()),
        Some("invited")
    );
    assert!(invited.password_hash.is_none());
    let members = s.family.members(f).await.expect("members");
    assert_eq!(
        members.iter().map(|m| m.user.id).collect::<Vec<_>>(),
        vec![host, invited.id]
    );
    let dup = s
        .family
        .add_invited_member(f, new_user("Dup", &invited.email.as_str().to_uppercase()))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict("email"))), "{dup:?}");
}
