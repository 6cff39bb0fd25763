//! One module per screen.

pub mod board;
pub mod deed;
pub mod deed_form;
pub mod inbox;
pub mod login;
pub mod me;
pub mod my_deeds;
pub mod points;
pub mod quarter;
pub mod report;
pub mod review;
