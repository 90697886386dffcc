//! The family's doctors, dentists and pharmacies, and the search for new ones.

use std::sync::Arc;

use calndr_domain::{
    MedicalChanges, MedicalProvider, MedicalProviderId, Place, PlaceCategory, PlaceQuery,
    SearchArea, ShortText,
};
use calndr_ports::{MedicalProviderStore, PlacesSearch, StoreError};
use chrono::Utc;

use crate::providers::search_places;
use crate::{AppError, Principal};

#[derive(Clone)]
pub struct MedicalService {
    store: Arc<dyn MedicalProviderStore>,
    places: Arc<dyn PlacesSearch>,
}

fn mapped(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("Medical provider"),
        other => other.into(),
    }
}

impl MedicalService {
    pub fn new(store: Arc<dyn MedicalProviderStore>, places: Arc<dyn PlacesSearch>) -> Self {
        Self { store, places }
    }

    pub async fn list(&self, who: &Principal) -> Result<Vec<MedicalProvider>, AppError> {
        Ok(self.store.medical_providers(who.family()?).await?)
    }

    pub async fn get(
        &self,
        who: &Principal,
        id: MedicalProviderId,
    ) -> Result<MedicalProvider, AppError> {
        self.store
            .medical_provider(who.family()?, id)
            .await
            .map_err(mapped)
    }

    /// `changes.name` is required.
    pub async fn create(
        &self,
        who: &Principal,
        changes: MedicalChanges,
    ) -> Result<MedicalProvider, AppError> {
        let family = who.family()?;
        if changes.name.is_none() {
            return Err(calndr_domain::ValidationError::new("name", "field required").into());
        }
        self.store
            .create_medical_provider(family, who.user_id, &changes, Utc::now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotAuthenticated,
                other => other.into(),
            })
    }

    /// Partial update: only the fields given change.
    pub async fn update(
        &self,
        who: &Principal,
        id: MedicalProviderId,
        changes: MedicalChanges,
    ) -> Result<MedicalProvider, AppError> {
        self.store
            .update_medical_provider(who.family()?, id, &changes, Utc::now())
            .await
            .map_err(mapped)
    }

    pub async fn delete(&self, who: &Principal, id: MedicalProviderId) -> Result<(), AppError> {
        self.store
            .delete_medical_provider(who.family()?, id)
            .await
            .map_err(mapped)
    }

    /// Doctors or pharmacies around a postal code or a point; `keyword` (the request's `query`,
    /// else its `specialty`) narrows the search.
    pub async fn search(
        &self,
        who: &Principal,
        area: SearchArea,
        keyword: Option<ShortText>,
    ) -> Result<Vec<Place>, AppError> {
        who.family()?;
        search_places(
            self.places.as_ref(),
            PlaceQuery {
                category: PlaceCategory::Medical,
                area,
                keyword,
            },
        )
        .await
    }
}
