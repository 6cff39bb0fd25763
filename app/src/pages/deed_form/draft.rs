//! What the member has typed so far, checked with the same domain rules the server uses.

use jifen_shared::api::{DeedView, PlaceDto, ReviseDeedRequest, SubmitDeedRequest};
use jifen_shared::domain::{DeedAccount, DeedTitle, Place, PlaceError};
use jifen_shared::problem::FieldError;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::components::{field_error, field_message};

/// A photo on its way up, or up.
#[derive(Clone, Debug, PartialEq)]
pub struct Photo {
    pub id: Option<String>,
    /// An object URL of the downscaled picture; empty for a photo uploaded before.
    pub preview: String,
    pub failed: bool,
    /// The downscaled picture, kept so that a photo the network did not take goes with the
    /// report when it is sent from the phone's outbox.
    pub blob: Option<web_sys::Blob>,
}

/// The report's fields as typed, starting from the deed being revised, if any.
#[derive(Clone, Copy)]
pub struct Draft {
    pub rule_id: RwSignal<String>,
    pub title: RwSignal<String>,
    pub account: RwSignal<String>,
    /// `datetime-local` text, in the browser's time zone.
    pub occurred: RwSignal<String>,
    pub place: RwSignal<String>,
    pub coords: RwSignal<Option<(f64, f64)>>,
    pub photos: RwSignal<Vec<Photo>>,
    /// The member a committee member registers the report for (登记建账); `None` for one's own.
    pub member_id: RwSignal<Option<String>>,
}

impl Draft {
    pub fn new(deed: Option<&DeedView>) -> Self {
        let text = |field: fn(&DeedView) -> &String| {
            RwSignal::new(deed.map(field).cloned().unwrap_or_default())
        };
        let uploaded = |id: &String| Photo {
            id: Some(id.clone()),
            preview: String::new(),
            failed: false,
            blob: None,
        };
        Self {
            rule_id: text(|d| &d.rule_id),
            title: text(|d| &d.title),
            account: text(|d| &d.account),
            occurred: RwSignal::new(crate::time::to_input(
                deed.map_or_else(chrono::Utc::now, |d| d.occurred_at),
            )),
            place: text(|d| &d.place.name),
            coords: RwSignal::new(deed.and_then(|d| d.place.lat.zip(d.place.lng))),
            photos: RwSignal::new(
                deed.map(|d| d.photo_ids.iter().map(uploaded).collect())
                    .unwrap_or_default(),
            ),
            member_id: RwSignal::new(None),
        }
    }

    /// The fields found wrong before anything is sent.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if self.rule_id.get_untracked().is_empty() {
            errs.push(field_message("rule_id", "rule.unknown", Word::ChooseAnItem));
        }
        if let Err(e) = DeedTitle::parse(&self.title.get_untracked()) {
            errs.push(field_error("title", &e));
        }
        if let Err(e) = DeedAccount::parse(&self.account.get_untracked()) {
            errs.push(field_error("account", &e));
        }
        let (lat, lng) = self.coords.get_untracked().unzip();
        if let Err(e) = Place::parse(&self.place.get_untracked(), lat, lng) {
            let field = if matches!(e, PlaceError::Name(_)) {
                "place.name"
            } else {
                "place.lat"
            };
            errs.push(field_error(field, &e));
        }
        if crate::time::from_input(&self.occurred.get_untracked()).is_none() {
            errs.push(field_message(
                "occurred_at",
                "time.invalid",
                Word::EnterTheTime,
            ));
        }
        if self
            .photos
            .get_untracked()
            .iter()
            .any(|p| p.id.is_none() && !p.failed)
        {
            errs.push(field_message(
                "photo_ids",
                "photo.uploading",
                Word::PhotosStillUploading,
            ));
        }
        errs
    }

    /// The fields as a revision of a returned deed.
    pub fn revision(&self) -> ReviseDeedRequest {
        let (lat, lng) = self.coords.get_untracked().unzip();
        ReviseDeedRequest {
            rule_id: self.rule_id.get_untracked(),
            title: self.title.get_untracked(),
            account: self.account.get_untracked(),
            occurred_at: crate::time::from_input(&self.occurred.get_untracked())
                .unwrap_or_else(chrono::Utc::now),
            place: PlaceDto {
                name: self.place.get_untracked(),
                lat,
                lng,
            },
            photo_ids: self
                .photos
                .get_untracked()
                .into_iter()
                .filter_map(|p| p.id)
                .collect(),
        }
    }

    /// The fields as typed, to keep on the phone ([`crate::offline::draft`]), and the photos the
    /// server does not have yet.
    pub fn typed(&self) -> (crate::offline::draft::Typed, Vec<web_sys::Blob>) {
        let photos = self.photos.get_untracked();
        let typed = crate::offline::draft::Typed {
            rule_id: self.rule_id.get_untracked(),
            title: self.title.get_untracked(),
            account: self.account.get_untracked(),
            occurred: self.occurred.get_untracked(),
            place: self.place.get_untracked(),
            coords: self.coords.get_untracked(),
            photo_ids: photos.iter().filter_map(|p| p.id.clone()).collect(),
            client_request_id: None,
            member_id: self.member_id.get_untracked(),
        };
        (typed, self.waiting_photos())
    }

    /// The photos picked but not uploaded (the network did not take them): they go with the
    /// report from the outbox.
    pub fn waiting_photos(&self) -> Vec<web_sys::Blob> {
        self.photos
            .get_untracked()
            .into_iter()
            .filter(|p| p.id.is_none())
            .filter_map(|p| p.blob)
            .collect()
    }

    /// Fills the form from a kept draft.
    pub fn restore(&self, typed: crate::offline::draft::Typed, blobs: Vec<web_sys::Blob>) {
        self.rule_id.set(typed.rule_id);
        self.title.set(typed.title);
        self.account.set(typed.account);
        self.occurred.set(typed.occurred);
        self.place.set(typed.place);
        self.coords.set(typed.coords);
        self.member_id.set(typed.member_id);
        let uploaded = typed.photo_ids.into_iter().map(|id| Photo {
            id: Some(id),
            preview: String::new(),
            failed: false,
            blob: None,
        });
        let kept = blobs.into_iter().map(|blob| Photo {
            id: None,
            preview: web_sys::Url::create_object_url_with_blob(&blob).unwrap_or_default(),
            failed: true,
            blob: Some(blob),
        });
        self.photos.set(uploaded.chain(kept).collect());
    }

    /// The fields as a new report. `client_request_id` stays the same across retries, so a resend
    /// after a timeout cannot make a second deed.
    pub fn report(&self, client_request_id: String) -> SubmitDeedRequest {
        let ReviseDeedRequest {
            rule_id,
            title,
            account,
            occurred_at,
            place,
            photo_ids,
        } = self.revision();
        SubmitDeedRequest {
            rule_id,
            title,
            account,
            occurred_at,
            place,
            photo_ids,
            client_request_id,
            member_id: self.member_id.get_untracked(),
        }
    }
}
