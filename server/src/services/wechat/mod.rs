//! Members and WeChat: signing in with a `wx.login()` code, and binding a WeChat account to a
//! member with a one-time invite code. The client that talks to WeChat is in
//! [`crate::infra::wechat`].

pub mod invites;
pub mod login;
