//! Branch ratings (星级党支部, 五星支部): a town or county sets the indicators and thresholds its
//! branches are rated by ([`rules`], inherited down the tree, see [`tree`]); each branch's stars
//! are computed from the year's figures ([`facts`], judged in [`score`]) with the numbers behind
//! every star ([`rating`]); an administrator above a branch may set its stars with a reason
//! ([`adjust`]). The rules' meaning is documented on [`jifen_shared::api::RatingRules`].

pub mod adjust;
pub mod facts;
pub mod rating;
pub mod rules;
pub mod scheme;
pub mod score;
pub mod tree;

pub use adjust::{adjust, Adjustment};
