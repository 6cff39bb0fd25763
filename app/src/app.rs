//! The shell: session bootstrap, routes, and the bottom tab bar.

use jifen_shared::words::Word;
use leptos::lazy;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::{path, Lazy, LazyRoute};

use crate::api;
use crate::i18n::tr;
use crate::pages;
use crate::session::{self, Session};

#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    api::on_signed_out(move || session.me.set(None));

    // With a stored session, find out who we are before showing anything that needs it.
    if session::signed_in() {
        leptos::task::spawn_local(async move {
            match api::me().await {
                Ok(me) => {
                    crate::offline::remembered::keep("me", &me);
                    session.me.set(Some(me));
                }
                // No network: the app opens as the member last seen here.
                Err(api::ApiError::Network) => {
                    if let Some((me, _)) = crate::offline::remembered::recall("me") {
                        session.me.set(Some(me));
                    }
                }
                Err(_) => {}
            }
            session.checking.set(false);
        });
    }

    // Reports kept on this phone go out now and whenever the network returns.
    crate::offline::outbox::start();

    // Language and text size live on <html>, so CSS and screen readers follow them.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", session.lang.get().tag());
            let _ = root.set_attribute(
                "class",
                if session.large_text.get() {
                    "large-text"
                } else {
                    ""
                },
            );
        }
    });

    view! {
        <Router>
            <main class="page" id="main">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/login") view=pages::login::LoginPage/>
                    <Route path=path!("/") view=|| view! { <Guard><Redirect path="/report"/></Guard> }/>
                    <Route path=path!("/report") view=|| view! { <Guard><pages::report::ReportPage/></Guard> }/>
                    <Route path=path!("/outbox") view=|| view! { <Guard><pages::outbox::OutboxPage/></Guard> }/>
                    <Route path=path!("/deeds") view={Lazy::<MyDeeds>::new()}/>
                    <Route path=path!("/deeds/:id") view={Lazy::<Deed>::new()}/>
                    <Route path=path!("/points") view={Lazy::<Points>::new()}/>
                    <Route path=path!("/review") view={Lazy::<Review>::new()}/>
                    <Route path=path!("/review/:id") view={Lazy::<Review>::new()}/>
                    <Route path=path!("/me") view={Lazy::<Me>::new()}/>
                    <Route path=path!("/inbox") view={Lazy::<Inbox>::new()}/>
                    <Route path=path!("/quarter") view={Lazy::<Quarter>::new()}/>
                    <Route path=path!("/appeals") view={Lazy::<Appeals>::new()}/>
                    <Route path=path!("/deductions") view={Lazy::<Deductions>::new()}/>
                    <Route path=path!("/settings") view={Lazy::<Settings>::new()}/>
                    <Route path=path!("/catalogue") view={Lazy::<Catalogue>::new()}/>
                    <Route path=path!("/year") view={Lazy::<Year>::new()}/>
                    <Route path=path!("/alerts") view={Lazy::<Alerts>::new()}/>
                    <Route path=path!("/year-end") view={Lazy::<YearEnd>::new()}/>
                    <Route path=path!("/meetings") view={Lazy::<Meetings>::new()}/>
                    <Route path=path!("/meetings/new") view={Lazy::<ScheduleMeeting>::new()}/>
                    <Route path=path!("/meetings/:id/live") view={Lazy::<MeetingLive>::new()}/>
                    <Route path=path!("/attest") view={Lazy::<Attest>::new()}/>
                    // Issue 14: stats_app (add this part's routes below this line)
                    <Route path=path!("/stats") view={Lazy::<Stats>::new()}/>
                    // Issue 14: roster (add this part's routes below this line)
                    <Route path=path!("/roster") view={Lazy::<Roster>::new()}/>
                    <Route path=path!("/roster/import") view={Lazy::<RosterImport>::new()}/>
                    // Issue 14: ratings (add this part's routes below this line)
                    <Route path=path!("/ratings") view={Lazy::<Ratings>::new()}/>
                    // Issue 14: admin (add this part's routes below this line)
                    <Route path=path!("/org") view={Lazy::<Org>::new()}/>
                </Routes>
            </main>
            <TabBar/>
        </Router>
    }
}

// Screens other than login and report come in two wasm chunks (see scripts/build-app.sh),
// fetched the first time one of their screens opens: a member's own screens and the committee's.
// (The public board is the server's HTML page at /board/{code}, not a screen of the app.) Groups
// rather than one chunk per screen: code that several chunks share goes into a chunk of its own,
// and with a chunk per screen the review screen needed 34 requests.

#[derive(Clone, Copy)]
enum MemberScreen {
    MyDeeds,
    Deed,
    Points,
    Me,
    Inbox,
    Meetings,
}

#[lazy]
fn member_screens(screen: MemberScreen) -> AnyView {
    match screen {
        MemberScreen::MyDeeds => {
            view! { <Guard><pages::my_deeds::MyDeedsPage/></Guard> }.into_any()
        }
        MemberScreen::Deed => view! { <Guard><pages::deed::DeedPage/></Guard> }.into_any(),
        MemberScreen::Points => view! { <Guard><pages::points::PointsPage/></Guard> }.into_any(),
        MemberScreen::Me => view! { <Guard><pages::me::MePage/></Guard> }.into_any(),
        MemberScreen::Inbox => view! { <Guard><pages::inbox::InboxPage/></Guard> }.into_any(),
        MemberScreen::Meetings => {
            view! { <Guard><pages::meetings::MeetingsPage/></Guard> }.into_any()
        }
    }
}

#[derive(Clone, Copy)]
enum CommitteeScreen {
    Review,
    Quarter,
    Appeals,
    Deductions,
    Settings,
    Catalogue,
    Year,
    Alerts,
    YearEnd,
    Attest,
    ScheduleMeeting,
    MeetingLive,
}

#[lazy]
fn committee_screens(screen: CommitteeScreen) -> AnyView {
    match screen {
        CommitteeScreen::Review => view! { <Guard><pages::review::ReviewPage/></Guard> }.into_any(),
        CommitteeScreen::Quarter => {
            view! { <Guard><pages::quarter::QuarterPage/></Guard> }.into_any()
        }
        CommitteeScreen::Appeals => {
            view! { <Guard><pages::appeals::AppealsPage/></Guard> }.into_any()
        }
        CommitteeScreen::Deductions => {
            view! { <Guard><pages::deductions::DeductionsPage/></Guard> }.into_any()
        }
        CommitteeScreen::Settings => {
            view! { <Guard><pages::settings::SettingsPage/></Guard> }.into_any()
        }
        // Members read the catalogue too; it sits with the committee's screens because mostly
        // the secretary opens it, and its editor would weigh on every member's first screens.
        CommitteeScreen::Catalogue => {
            view! { <Guard><pages::catalogue::CataloguePage/></Guard> }.into_any()
        }
        CommitteeScreen::Year => view! { <Guard><pages::year::YearPage/></Guard> }.into_any(),
        CommitteeScreen::Alerts => view! { <Guard><pages::alerts::AlertsPage/></Guard> }.into_any(),
        CommitteeScreen::YearEnd => {
            view! { <Guard><pages::year_end::YearEndPage/></Guard> }.into_any()
        }
        CommitteeScreen::ScheduleMeeting => {
            view! { <Guard><pages::meetings::ScheduleMeetingPage/></Guard> }.into_any()
        }
        CommitteeScreen::MeetingLive => {
            view! { <Guard><pages::meetings::MeetingLivePage/></Guard> }.into_any()
        }
        CommitteeScreen::Attest => view! { <Guard><pages::attest::AttestPage/></Guard> }.into_any(),
    }
}

/// The screens of those who keep the roster and oversee many branches: statistics, the roster and
/// its import, ratings, the organisation. A third chunk: most members and committee members never
/// open these.
#[derive(Clone, Copy)]
enum OfficeScreen {
    // Issue 14: stats_app (add this part's screens below this line)
    Stats,
    // Issue 14: roster (add this part's screens below this line)
    Roster,
    RosterImport,
    // Issue 14: ratings (add this part's screens below this line)
    Ratings,
    // Issue 14: admin (add this part's screens below this line)
    Org,
}

#[lazy]
fn office_screens(screen: OfficeScreen) -> AnyView {
    match screen {
        // Issue 14: stats_app (add this part's arms below this line)
        OfficeScreen::Stats => view! { <Guard><pages::stats::StatsPage/></Guard> }.into_any(),
        // Issue 14: roster (add this part's arms below this line)
        OfficeScreen::Roster => view! { <Guard><pages::roster::RosterPage/></Guard> }.into_any(),
        OfficeScreen::RosterImport => {
            view! { <Guard><pages::roster::import::RosterImportPage/></Guard> }.into_any()
        }
        // Issue 14: ratings (add this part's arms below this line)
        OfficeScreen::Ratings => view! { <Guard><pages::ratings::RatingsPage/></Guard> }.into_any(),
        // Issue 14: admin (add this part's arms below this line)
        OfficeScreen::Org => view! { <Guard><pages::org::OrgPage/></Guard> }.into_any(),
    }
}

/// A route whose view comes from one of the lazily loaded groups above.
macro_rules! screen_route {
    ($(#[$doc:meta])* $name:ident => $load:expr) => {
        $(#[$doc])*
        struct $name;

        impl LazyRoute for $name {
            fn data() -> Self {
                $name
            }
            async fn view(_this: Self) -> AnyView {
                $load.await
            }
        }
    };
}

screen_route!(
    /// The member's own deeds.
    MyDeeds => member_screens(MemberScreen::MyDeeds)
);
screen_route!(
    /// One deed, its history, and what its owner may still do with it.
    Deed => member_screens(MemberScreen::Deed)
);
screen_route!(
    /// The member's points this year.
    Points => member_screens(MemberScreen::Points)
);
screen_route!(
    /// Account, language and text size.
    Me => member_screens(MemberScreen::Me)
);
screen_route!(
    /// The member's messages.
    Inbox => member_screens(MemberScreen::Inbox)
);
screen_route!(
    /// The meetings of the member's branch and migrant organisation: check in, leave.
    Meetings => member_screens(MemberScreen::Meetings)
);
screen_route!(
    /// The committee's review queue.
    Review => committee_screens(CommitteeScreen::Review)
);
screen_route!(
    /// The committee's quarter: sign-off, posting, the masses' feedback.
    Quarter => committee_screens(CommitteeScreen::Quarter)
);
screen_route!(
    /// Members' appeals for the committee to uphold or overturn.
    Appeals => committee_screens(CommitteeScreen::Appeals)
);
screen_route!(
    /// Deductions the committee decides, with two people: propose, confirm or drop.
    Deductions => committee_screens(CommitteeScreen::Deductions)
);
screen_route!(
    /// The branch's settings for the points year.
    Settings => committee_screens(CommitteeScreen::Settings)
);
screen_route!(
    /// The branch's rules catalogue: read by everyone, kept by the secretary.
    Catalogue => committee_screens(CommitteeScreen::Catalogue)
);
screen_route!(
    /// The branch's points year: opening it with the base points, awards to many members.
    Year => committee_screens(CommitteeScreen::Year)
);
screen_route!(
    /// Members below the branch's alert line at a quarter's end, and telling them (积分预警).
    Alerts => committee_screens(CommitteeScreen::Alerts)
);
screen_route!(
    /// The year's grades (年终评定): closing, adjusting with reasons, confirming, downloads.
    YearEnd => committee_screens(CommitteeScreen::YearEnd)
);
screen_route!(
    /// The migrant organisation's committee: its attached members' deeds, co-signed (证明此事).
    Attest => committee_screens(CommitteeScreen::Attest)
);

screen_route!(
    /// The secretary schedules a meeting (安排会议).
    ScheduleMeeting => committee_screens(CommitteeScreen::ScheduleMeeting)
);
screen_route!(
    /// The secretary's screen at a meeting: the rotating QR code, who is there, closing.
    MeetingLive => committee_screens(CommitteeScreen::MeetingLive)
);

// Issue 14: stats_app (add this part's screen_route! below this line)
screen_route!(
    /// 统计: figures and charts of a unit and the units below it, down to a branch's members.
    Stats => office_screens(OfficeScreen::Stats)
);
// Issue 14: roster (add this part's screen_route! below this line)
screen_route!(
    /// 党员名册: members found, added, edited, transferred and marked as having left.
    Roster => office_screens(OfficeScreen::Roster)
);
screen_route!(
    /// 导入名册: a roster file previewed row by row, imported, and its invite slips printed.
    RosterImport => office_screens(OfficeScreen::RosterImport)
);
// Issue 14: ratings (add this part's screen_route! below this line)
screen_route!(
    /// 星级评定: each branch's stars for the year and the figures behind every star.
    Ratings => office_screens(OfficeScreen::Ratings)
);
// Issue 14: admin (add this part's screen_route! below this line)
screen_route!(
    /// 组织管理: the organisation tree, its office holders and a branch's invite codes.
    Org => office_screens(OfficeScreen::Org)
);

/// Shows its children to a signed-in member, the login page to anyone else.
#[component]
fn Guard(children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    let loading = tr(Word::Loading);
    move || {
        if session.me.get().is_some() {
            children().into_any()
        } else if session.checking.get() {
            view! { <p class="loading" role="status">{loading}</p> }.into_any()
        } else {
            view! { <Redirect path="/login"/> }.into_any()
        }
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="empty">
            <h1>{tr(Word::PageNotFound)}</h1>
            <A href="/report">{tr(Word::BackToStart)}</A>
        </section>
    }
}

#[component]
fn TabBar() -> impl IntoView {
    let session = expect_context::<Session>();
    let location = use_location();
    let current = move |prefix: &'static str| {
        let path = location.pathname.get();
        if path == prefix || path.starts_with(&format!("{prefix}/")) {
            "tab current"
        } else {
            "tab"
        }
    };
    let tab = move |href: &'static str,
                    icon: &'static str,
                    label: Box<dyn Fn() -> &'static str + Send + Sync>| {
        view! {
            <A href=href attr:class=move || current(href)>
                <span class="tab-icon" aria-hidden="true">{icon}</span>
                <span class="tab-label">{move || label()}</span>
            </A>
        }
    };
    view! {
        <Show when=move || session.me.get().is_some()>
            <nav class="tabbar" aria-label=tr(Word::Main)>
                {tab("/report", "✎", Box::new(tr(Word::Report)))}
                {tab("/deeds", "☰", Box::new(tr(Word::MyDeeds)))}
                {tab("/points", "★", Box::new(tr(Word::Points)))}
                <Show when=move || session.is_reviewer()>
                    {tab("/review", "✓", Box::new(tr(Word::Review)))}
                </Show>
                {tab("/me", "☺", Box::new(tr(Word::Me)))}
            </nav>
        </Show>
    }
}
