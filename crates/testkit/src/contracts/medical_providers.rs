//! The `MedicalProviderStore` contract.

use calndr_domain::{MedicalChanges, MedicalInput};
use calndr_ports::{Storage, StoreError};
use chrono::Utc;

use super::family;

/// Medical providers: created with every field, changed partially, scoped by family.
pub async fn medical_providers_update_partially(stores: Storage) {
    let (ann, a) = family(&stores, "Ann").await;
    let (_, b) = family(&stores, "Ben").await;
    let s = &stores.medical_providers;
    let all = MedicalChanges::parse(MedicalInput {
        name: Some("Dr. Kim"),
        specialty: Some("Pediatrics"),
        phone: Some("910-555-0199"),
        website: Some("kidsdoc.example.com"),
        latitude: Some(34.2257),
        longitude: Some(-77.9447),
        zip_code: Some("28401"),
        rating: Some(4.8),
        ..MedicalInput::default()
    })
    .expect("changes");
    let m = s
        .create_medical_provider(a, ann.id, &all, Utc::now())
        .await
        .expect("create");
    assert_eq!(m.phone.as_ref().map(|p| p.as_str()), Some("(910) 555-0199"));
    assert_eq!(m.latitude, Some(34.2257));
    assert_eq!(m.longitude, Some(-77.9447));
    assert_eq!(m.rating.map(|r| r.get()), Some(4.8));
    assert_eq!(s.medical_providers(a).await.expect("list"), vec![m.clone()]);
    assert!(s.medical_providers(b).await.expect("list").is_empty());

    let notes = MedicalChanges::parse(MedicalInput {
        notes: Some("Bring the vaccination card"),
        ..MedicalInput::default()
    })
    .expect("changes");
    assert!(matches!(
        s.update_medical_provider(b, m.id, &notes, Utc::now()).await,
        Err(StoreError::NotFound)
    ));
    let changed = s
        .update_medical_provider(a, m.id, &notes, Utc::now())
        .await
        .expect("update");
    assert_eq!(
        changed.notes.as_ref().map(|n| n.as_str()),
        Some("Bring the vaccination card")
    );
    assert_eq!(changed.name, m.name, "fields not given stay");
    assert_eq!(changed.phone, m.phone);
    assert_eq!(changed.latitude, m.latitude);
    assert_eq!(s.medical_provider(a, m.id).await.expect("get"), changed);
    assert!(matches!(
        s.medical_provider(b, m.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.delete_medical_provider(b, m.id).await,
        Err(StoreError::NotFound)
    ));
    s.delete_medical_provider(a, m.id).await.expect("delete");
    assert!(matches!(
        s.medical_provider(a, m.id).await,
        Err(StoreError::NotFound)
    ));
}
