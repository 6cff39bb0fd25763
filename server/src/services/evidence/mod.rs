//! Evidence the committee can trust (issue 12): every uploaded photo is decoded, checked and
//! stored again without its metadata ([`clean`]), keeping only the capture time and place its EXIF
//! held ([`capture`]); the committee reviewing a deed is told how its place and photos agree with
//! it, and which photos are attached to other deeds too ([`warnings`]). Warnings never reject.

pub mod capture;
pub mod clean;
pub mod warnings;
