//! Meetings (三会一课, 主题党日): the members' list with check-in, remote attendance and leave
//! (member chunk), the secretary's form and the live check-in screen (committee chunk).

mod checkin;
mod list;
mod live;
mod rates;
mod scanner;
mod schedule;
mod words;

pub use list::MeetingsPage;
pub use live::MeetingLivePage;
pub use schedule::ScheduleMeetingPage;
