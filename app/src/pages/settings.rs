//! The branch's settings for the points year (支部积分设置): base points, names on the public
//! board, when a member counts as falling behind, the year-end grade thresholds and the usual area
//! for evidence checks. The secretary changes them; the rest of the committee reads them.

use jifen_shared::api::{
    AlertThreshold, BranchSettings, EvidenceArea, GradeThresholds, PatchBranchSettings,
};
use jifen_shared::domain::BoardNames;
use jifen_shared::problem::FieldError;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{
    field_message, my_branches, BranchPicker, FieldErrorText, FormError, FormSubmit, Loaded,
};
use crate::i18n::tr;
use crate::session::Session;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = my_branches(session);
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    let managed = StoredValue::new(
        branches
            .iter()
            .filter(|b| b.manages)
            .map(|b| b.id.clone())
            .collect::<Vec<_>>(),
    );
    let settings = LocalResource::new(move || {
        let b = branch.get();
        async move { api::branch_settings(&b).await }
    });
    view! {
        <header class="page-header"><h1>{tr(Word::SettingsTitle)}</h1></header>
        <BranchPicker branches branch/>
        <Loaded resource=settings let:s>
            <SettingsForm settings=s branch=branch.get_untracked()
                editable=managed.with_value(|ids| ids.contains(&branch.get_untracked()))/>
        </Loaded>
    }
}

/// The form's text, as typed.
#[derive(Clone, Copy)]
struct Typed {
    base: RwSignal<String>,
    masked: RwSignal<bool>,
    alert_by_median: RwSignal<bool>,
    alert_value: RwSignal<String>,
    excellent: RwSignal<String>,
    qualified: RwSignal<String>,
    basic: RwSignal<String>,
    cap: RwSignal<String>,
    lat: RwSignal<String>,
    lng: RwSignal<String>,
    radius: RwSignal<String>,
}

impl Typed {
    fn of(s: &BranchSettings) -> Self {
        let text = |v: String| RwSignal::new(v);
        let (by_median, value) = match s.alert {
            AlertThreshold::Points { points } => (false, points.to_string()),
            AlertThreshold::MedianShare { percent } => (true, percent.to_string()),
        };
        let area = s.evidence_area;
        Typed {
            base: text(s.base_points_per_year.to_string()),
            masked: RwSignal::new(s.board_names == BoardNames::Masked),
            alert_by_median: RwSignal::new(by_median),
            alert_value: text(value),
            excellent: text(s.grades.excellent.to_string()),
            qualified: text(s.grades.qualified.to_string()),
            basic: text(s.grades.basic.to_string()),
            cap: text(
                s.grades
                    .excellent_cap_percent
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            lat: text(area.map(|a| a.lat.to_string()).unwrap_or_default()),
            lng: text(area.map(|a| a.lng.to_string()).unwrap_or_default()),
            radius: text(area.map(|a| a.radius_m.to_string()).unwrap_or_default()),
        }
    }

    /// The whole settings as typed, or each field that is not a number.
    fn read(&self) -> Result<PatchBranchSettings, Vec<FieldError>> {
        let mut found = Vec::new();
        let mut number = |field: &str, text: RwSignal<String>| -> Option<i64> {
            let t = text.get_untracked();
            match t.trim().parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    found.push(field_message(
                        field,
                        "settings.not_a_number",
                        Word::SettingsWholeNumber,
                    ));
                    None
                }
            }
        };
        let base = number("base_points_per_year", self.base);
        let alert_value = number(
            if self.alert_by_median.get_untracked() {
                "alert.percent"
            } else {
                "alert.points"
            },
            self.alert_value,
        );
        let excellent = number("grades.excellent", self.excellent);
        let qualified = number("grades.qualified", self.qualified);
        let basic = number("grades.basic", self.basic);
        let cap = match self.cap.get_untracked().trim() {
            "" => Some(None),
            _ => number("grades.excellent_cap_percent", self.cap).map(Some),
        };
        let area_typed = [self.lat, self.lng, self.radius].map(|s| s.get_untracked());
        let area = if area_typed.iter().all(|t| t.trim().is_empty()) {
            Some(None)
        } else {
            match (
                area_typed[0].trim().parse::<f64>(),
                area_typed[1].trim().parse::<f64>(),
                area_typed[2].trim().parse::<u32>(),
            ) {
                (Ok(lat), Ok(lng), Ok(radius_m)) => Some(Some(EvidenceArea { lat, lng, radius_m })),
                _ => {
                    found.push(field_message(
                        "evidence_area",
                        "settings.area_invalid",
                        Word::SettingsAreaInvalid,
                    ));
                    None
                }
            }
        };
        let small = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
        let percent = |v: i64| u8::try_from(v).unwrap_or(u8::MAX);
        match (base, alert_value, excellent, qualified, basic, cap, area) {
            (Some(base), Some(alert), Some(e), Some(q), Some(b), Some(cap), Some(area))
                if found.is_empty() =>
            {
                Ok(PatchBranchSettings {
                    base_points_per_year: Some(small(base)),
                    board_names: Some(if self.masked.get_untracked() {
                        BoardNames::Masked
                    } else {
                        BoardNames::Full
                    }),
                    alert: Some(if self.alert_by_median.get_untracked() {
                        AlertThreshold::MedianShare {
                            percent: percent(alert),
                        }
                    } else {
                        AlertThreshold::Points {
                            points: small(alert),
                        }
                    }),
                    grades: Some(GradeThresholds {
                        excellent: small(e),
                        qualified: small(q),
                        basic: small(b),
                        excellent_cap_percent: cap.map(percent),
                    }),
                    evidence_area: Some(area),
                })
            }
            _ => Err(found),
        }
    }
}

#[component]
fn SettingsForm(settings: BranchSettings, branch: String, editable: bool) -> impl IntoView {
    let typed = Typed::of(&settings);
    let saved = RwSignal::new(false);
    let save = FormSubmit::new(
        move |patch: &PatchBranchSettings| {
            let (b, p) = (branch.clone(), patch.clone());
            async move { api::patch_branch_settings(&b, &p).await }
        },
        move |_| saved.set(true),
    );
    let errors = save.errors;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        match typed.read() {
            Ok(patch) => save.send(patch),
            Err(found) => save.submit(found, PatchBranchSettings::default()),
        }
    };
    let number =
        move |id: &'static str, label: Word, value: RwSignal<String>, field: &'static str| {
            view! {
                <label class="cell" for=id>
                    <span class="cell-label">{tr(label)}</span>
                    <input id=id type="text" inputmode="numeric" bind:value=value disabled=!editable
                        aria-describedby=format!("err-{}", field.replace('.', "-"))/>
                </label>
                <FieldErrorText errors field/>
            }
        };
    let area = move |id: &'static str, label: Word, value: RwSignal<String>| {
        view! {
            <label class="cell" for=id>
                <span class="cell-label">{tr(label)}</span>
                <input id=id type="text" inputmode="decimal" bind:value=value disabled=!editable
                    aria-describedby="err-evidence_area"/>
            </label>
        }
    };
    view! {
        <form class="settings-form" on:submit=submit novalidate>
            <h2 class="section-title">{tr(Word::SettingsBasePoints)}</h2>
            <div class="cells">
                {number("base-points", Word::SettingsBasePointsPerYear, typed.base, "base_points_per_year")}
            </div>
            <h2 class="section-title">{tr(Word::PointsBoard)}</h2>
            <div class="cells">
                <label class="cell" for="masked-names">
                    <span class="cell-label">{tr(Word::SettingsMaskNames)}</span>
                    <input id="masked-names" type="checkbox" class="switch" bind:checked=typed.masked disabled=!editable/>
                </label>
            </div>
            <h2 class="section-title">{tr(Word::SettingsAlert)}</h2>
            <div class="cells">
                <label class="cell" for="alert-by-median">
                    <span class="cell-label">{tr(Word::SettingsAlertByMedian)}</span>
                    <input id="alert-by-median" type="checkbox" class="switch" bind:checked=typed.alert_by_median
                        disabled=!editable/>
                </label>
                <label class="cell" for="alert-value">
                    <span class="cell-label">{move || if typed.alert_by_median.get() {
                        tr(Word::SettingsAlertPercent)()
                    } else {
                        tr(Word::SettingsAlertPoints)()
                    }}</span>
                    <input id="alert-value" type="text" inputmode="numeric" bind:value=typed.alert_value disabled=!editable/>
                </label>
                <FieldErrorText errors field="alert.percent"/>
                <FieldErrorText errors field="alert.points"/>
            </div>
            <h2 class="section-title">{tr(Word::SettingsGrades)}</h2>
            <div class="cells">
                {number("grade-excellent", Word::SettingsExcellentFrom, typed.excellent, "grades.excellent")}
                {number("grade-qualified", Word::SettingsQualifiedFrom, typed.qualified, "grades.qualified")}
                {number("grade-basic", Word::SettingsBasicFrom, typed.basic, "grades.basic")}
                {number("grade-cap", Word::SettingsExcellentCap, typed.cap, "grades.excellent_cap_percent")}
                <FieldErrorText errors field="grades"/>
            </div>
            <h2 class="section-title">{tr(Word::SettingsEvidenceArea)}</h2>
            <p class="hint">{tr(Word::SettingsEvidenceAreaHint)}</p>
            <div class="cells">
                {area("area-lat", Word::SettingsLatitude, typed.lat)}
                {area("area-lng", Word::SettingsLongitude, typed.lng)}
                {area("area-radius", Word::SettingsRadiusMetres, typed.radius)}
                <FieldErrorText errors field="evidence_area"/>
            </div>
            <FormError form=save/>
            <Show when=move || saved.get()>
                <p class="form-ok" role="status" id="settings-saved">{tr(Word::SettingsSaved)}</p>
            </Show>
            {editable.then(|| view! {
                <button type="submit" id="save-settings" class="btn btn-primary" disabled=move || save.pending().get()>
                    {tr(Word::SettingsSave)}
                </button>
            })}
        </form>
    }
}
