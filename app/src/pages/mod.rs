//! One module per screen.

pub mod alerts;
pub mod appeals;
pub mod attest;
pub mod catalogue;
pub mod deductions;
pub mod deed;
pub mod deed_form;
pub mod inbox;
pub mod login;
pub mod me;
pub mod meetings;
pub mod my_deeds;
pub mod outbox;
pub mod points;
pub mod quarter;
pub mod report;
pub mod review;
pub mod settings;
pub mod standing;
pub mod year;
pub mod year_end;
// Issue 14: stats_app, roster, ratings, admin (add this part's modules below this line)
pub mod org;
pub mod ratings;
pub mod roster;
pub mod stats;
