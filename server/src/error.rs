//! The server's one error type, and how it becomes `application/problem+json`.
//!
//! Every failure a client can see has a stable `code` and words in zh-CN and en. Unexpected
//! failures are logged with their whole cause chain and answered with a generic message, so no
//! SQL or stack text ever reaches a response.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use jifen_shared::i18n::{Explain, Lang};
use jifen_shared::problem::{FieldError, Problem};
use sea_orm::DbErr;

/// Things that may be looked up and not be there (or not be visible to the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Deed,
    Rule,
    Member,
    OrgUnit,
    Photo,
    Notification,
    Board,
    Feedback,
    Route,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    MissingToken,
    InvalidToken,
    ExpiredToken,
    BadCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
}

/// Why signing in or binding through WeChat did not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WechatFailure {
    /// This server has no WeChat mini program configured.
    NotConfigured,
    /// WeChat did not accept the login code (40029).
    InvalidCode,
    /// The login code was used already (40163).
    CodeUsed,
    /// WeChat limits how often we may ask (45011).
    RateLimited,
    /// WeChat blocks this user as high-risk (40226).
    BlockedUser,
    /// WeChat is busy or cannot be reached.
    Unavailable,
    /// The binding ticket is unknown, used, expired or worn out by wrong codes.
    TicketInvalid,
    /// The invite code is wrong, used, expired or replaced by a newer one.
    InviteInvalid,
    /// The member, or the WeChat account, is bound already.
    AlreadyBound,
    /// The member has no WeChat account bound.
    NotBound,
}

/// Why a quarter cannot be signed or published (yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarterRefusal {
    /// The quarter has not ended yet.
    NotEnded,
    /// Deeds of the quarter still wait for the committee.
    PendingDeeds(u64),
    AlreadySigned,
    NotSigned,
    AlreadyPublished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's roles do not allow this action.
    Role,
    /// Reviewing one's own deed.
    SelfReview,
    /// Only the member who reported a deed may withdraw or revise it.
    NotOwner,
}

/// One invalid field, worded in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: String,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl FieldIssue {
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn explained(field: impl Into<String>, err: &impl Explain) -> Self {
        Self::new(
            field,
            err.code(),
            err.explain(Lang::ZhCn),
            err.explain(Lang::En),
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0:?} not found")]
    NotFound(Missing),
    #[error("unauthorized: {0:?}")]
    Unauthorized(AuthFailure),
    #[error("forbidden: {0:?}")]
    Forbidden(Refusal),
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldIssue>),
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("a deed that is {from} cannot be {action}")]
    InvalidTransition {
        from: &'static str,
        action: &'static str,
    },
    #[error("username already taken")]
    UsernameTaken,
    #[error("WeChat: {0:?}")]
    Wechat(WechatFailure),
    #[error("quarter: {0:?}")]
    Quarter(QuarterRefusal),
    #[error("too much feedback waiting")]
    FeedbackFull,
    #[error("feedback already decided")]
    FeedbackDecided,
    #[error("rule cap exceeded; {remaining} points remain this {period:?}")]
    CapExceeded { remaining: i32, period: CapPeriod },
    #[error("database unavailable")]
    Unavailable(#[source] DbErr),
    #[error("database error")]
    Db(#[source] DbErr),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapPeriod {
    Quarter,
    Year,
}

impl AppError {
    /// One invalid field.
    pub fn field(field: impl Into<String>, err: &impl Explain) -> Self {
        AppError::Validation(vec![FieldIssue::explained(field, err)])
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(m) => match m {
                Missing::Deed => "deed.not_found",
                Missing::Rule => "rule.not_found",
                Missing::Member => "member.not_found",
                Missing::OrgUnit => "org_unit.not_found",
                Missing::Photo => "photo.not_found",
                Missing::Notification => "notification.not_found",
                Missing::Board => "board.not_found",
                Missing::Feedback => "feedback.not_found",
                Missing::Route => "route.not_found",
            },
            AppError::Unauthorized(f) => match f {
                AuthFailure::MissingToken => "auth.missing_token",
                AuthFailure::InvalidToken => "auth.invalid_token",
                AuthFailure::ExpiredToken => "auth.token_expired",
                AuthFailure::BadCredentials => "auth.bad_credentials",
                AuthFailure::InvalidRefreshToken => "auth.refresh_invalid",
                AuthFailure::RefreshTokenReused => "auth.refresh_reused",
            },
            AppError::Forbidden(r) => match r {
                Refusal::Role => "auth.forbidden",
                Refusal::SelfReview => "deed.self_review",
                Refusal::NotOwner => "deed.not_owner",
            },
            AppError::Validation(_) => "validation.failed",
            AppError::Malformed(_) => "request.malformed",
            AppError::InvalidTransition { .. } => "deed.invalid_transition",
            AppError::UsernameTaken => "member.username_taken",
            AppError::FeedbackFull => "feedback.too_many",
            AppError::FeedbackDecided => "feedback.already_decided",
            AppError::Quarter(r) => match r {
                QuarterRefusal::NotEnded => "quarter.not_ended",
                QuarterRefusal::PendingDeeds(_) => "quarter.pending_deeds",
                QuarterRefusal::AlreadySigned => "quarter.already_signed",
                QuarterRefusal::NotSigned => "quarter.not_signed",
                QuarterRefusal::AlreadyPublished => "quarter.already_published",
            },
            AppError::Wechat(f) => match f {
                WechatFailure::NotConfigured => "wechat.not_configured",
                WechatFailure::InvalidCode => "wechat.invalid_code",
                WechatFailure::CodeUsed => "wechat.code_used",
                WechatFailure::RateLimited => "wechat.rate_limited",
                WechatFailure::BlockedUser => "wechat.blocked_user",
                WechatFailure::Unavailable => "wechat.unavailable",
                WechatFailure::TicketInvalid => "wechat.ticket_invalid",
                WechatFailure::InviteInvalid => "wechat.invite_invalid",
                WechatFailure::AlreadyBound => "wechat.already_bound",
                WechatFailure::NotBound => "wechat.not_bound",
            },
            AppError::CapExceeded { .. } => "rule.cap_exceeded",
            AppError::Unavailable(_) => "service.unavailable",
            AppError::Db(_) | AppError::Internal(_) => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Validation(_) | AppError::CapExceeded { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Malformed(_) => StatusCode::BAD_REQUEST,
            AppError::InvalidTransition { .. }
            | AppError::UsernameTaken
            | AppError::Quarter(_)
            | AppError::FeedbackDecided => StatusCode::CONFLICT,
            AppError::FeedbackFull => StatusCode::TOO_MANY_REQUESTS,
            AppError::Wechat(f) => match f {
                WechatFailure::NotConfigured | WechatFailure::NotBound => StatusCode::NOT_FOUND,
                WechatFailure::InvalidCode
                | WechatFailure::CodeUsed
                | WechatFailure::TicketInvalid
                | WechatFailure::InviteInvalid => StatusCode::BAD_REQUEST,
                WechatFailure::RateLimited => StatusCode::TOO_MANY_REQUESTS,
                WechatFailure::BlockedUser => StatusCode::FORBIDDEN,
                WechatFailure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                WechatFailure::AlreadyBound => StatusCode::CONFLICT,
            },
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self, lang: Lang) -> String {
        let p = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
        match self {
            AppError::NotFound(m) => match m {
                Missing::Deed => p("找不到这条申报，它可能已被删除或您无权查看", "This deed does not exist or you may not see it."),
                Missing::Rule => p("找不到这个积分项目，请从本支部的积分细则中选择", "This rule does not exist; choose one from your branch's catalogue."),
                Missing::Member => p("找不到这名党员", "This member does not exist or you may not see them."),
                Missing::OrgUnit => p("找不到这个组织", "This organisation does not exist or you may not see it."),
                Missing::Photo => p("找不到这张照片，请重新上传", "This photo does not exist; please upload it again."),
                Missing::Board => p("该支部这个季度的积分还没有张榜公布", "This branch has not posted this quarter's points yet."),
                Missing::Feedback => p("找不到这条意见", "This feedback does not exist."),
                Missing::Notification => p("找不到这条消息", "This message does not exist."),
                Missing::Route => p("没有这个接口，请检查地址", "There is no such endpoint; check the address."),
            },
            AppError::Unauthorized(f) => match f {
                AuthFailure::MissingToken => p("请先登录", "Please sign in first."),
                AuthFailure::InvalidToken => p("登录凭证无效，请重新登录", "Your sign-in is not valid; please sign in again."),
                AuthFailure::ExpiredToken => p("登录已过期，请刷新或重新登录", "Your sign-in has expired; refresh it or sign in again."),
                AuthFailure::BadCredentials => p("用户名或密码不正确", "Wrong username or password."),
                AuthFailure::InvalidRefreshToken => p("会话已失效，请重新登录", "Your session has ended; please sign in again."),
                AuthFailure::RefreshTokenReused => p(
                    "该会话凭证已被使用过，为安全起见已注销此会话，请重新登录",
                    "This session token was already used, so the session was ended for safety; please sign in again.",
                ),
            },
            AppError::Forbidden(r) => match r {
                Refusal::Role => p("您没有进行此操作的权限", "Your role does not allow this action."),
                Refusal::SelfReview => p("不能审核自己的申报，请由其他支委审核", "You cannot review your own deed; another committee member must."),
                Refusal::NotOwner => p("只有申报人本人可以这样做", "Only the member who reported this deed can do that."),
            },
            AppError::Validation(_) => p("提交的内容有误，请按提示修改", "Some fields are invalid; please correct them."),
            AppError::Malformed(_) => p("请求格式不正确，请检查后重试", "The request is malformed; check it and try again."),
            AppError::InvalidTransition { from, action } => match lang {
                Lang::ZhCn => format!("这条申报当前状态为“{}”，不能{}", status_zh(from), action_zh(action)),
                Lang::En => format!("A deed that is {from} cannot be {action}."),
            },
            AppError::UsernameTaken => p("用户名已被占用，请换一个", "This username is taken; choose another."),
            AppError::FeedbackFull => p("该季度待处理的意见太多，请稍后再提", "Too much feedback on this quarter is waiting; please try again later."),
            AppError::FeedbackDecided => p("这条意见已经处理过了", "This feedback has been decided already."),
            AppError::Quarter(r) => match (r, lang) {
                (QuarterRefusal::NotEnded, _) => p("这个季度还没有结束，季度结束后才能签字", "This quarter has not ended; it can be signed once it is over."),
                (QuarterRefusal::PendingDeeds(n), Lang::ZhCn) => format!("本季度还有 {n} 条申报待审核，请支委会审核完再签字"),
                (QuarterRefusal::PendingDeeds(n), Lang::En) => format!("{n} deeds of this quarter still wait for review; the committee must decide them before the secretary signs."),
                (QuarterRefusal::AlreadySigned, _) => p("这个季度已经签字确认过了", "This quarter is signed already."),
                (QuarterRefusal::NotSigned, _) => p("书记签字确认后才能张榜公布", "The secretary must sign the quarter before it is posted."),
                (QuarterRefusal::AlreadyPublished, _) => p("这个季度已经张榜公布过了", "This quarter is posted already."),
            },
            AppError::Wechat(f) => match f {
                WechatFailure::NotConfigured => p("本系统尚未开通微信登录，请用用户名和密码登录", "WeChat sign-in is not set up here; sign in with your username and password."),
                WechatFailure::InvalidCode => p("微信登录凭证无效，请重新打开小程序再试", "WeChat did not accept the login code; reopen the mini program and try again."),
                WechatFailure::CodeUsed => p("微信登录凭证已使用过，请重新登录", "This WeChat login code was used already; sign in again."),
                WechatFailure::RateLimited => p("登录太频繁，请一分钟后再试", "Too many sign-ins; try again in a minute."),
                WechatFailure::BlockedUser => p("微信判定该账号存在风险，暂时无法登录，请联系支部书记", "WeChat has flagged this account as high-risk, so it cannot sign in; contact your branch secretary."),
                WechatFailure::Unavailable => p("暂时连不上微信，请稍后重试", "WeChat cannot be reached right now; try again shortly."),
                WechatFailure::TicketInvalid => p("绑定已过期或失效，请重新从小程序登录后再绑定", "The binding has expired or is no longer valid; sign in from the mini program again, then bind."),
                WechatFailure::InviteInvalid => p("邀请码不正确或已失效，请核对，或请支部书记重新生成", "The invite code is wrong or no longer valid; check it, or ask your branch secretary for a new one."),
                WechatFailure::AlreadyBound => p("该党员或该微信号已经绑定过，如需更换请联系管理员解绑", "This member or this WeChat account is bound already; ask an administrator to unbind it first."),
                WechatFailure::NotBound => p("该党员没有绑定微信", "This member has no WeChat account bound."),
            },
            AppError::CapExceeded { remaining, period } => match (lang, period) {
                (Lang::ZhCn, CapPeriod::Quarter) => format!("超过该项目本季度的积分上限，本季度最多还能加 {remaining} 分"),
                (Lang::ZhCn, CapPeriod::Year) => format!("超过该项目本年度的积分上限，本年度最多还能加 {remaining} 分"),
                (Lang::En, CapPeriod::Quarter) => format!("This exceeds the rule's quarterly cap; at most {remaining} points remain this quarter."),
                (Lang::En, CapPeriod::Year) => format!("This exceeds the rule's yearly cap; at most {remaining} points remain this year."),
            },
            AppError::Unavailable(_) => p("服务暂时不可用，请稍后重试", "The service is temporarily unavailable; please try again shortly."),
            AppError::Db(_) | AppError::Internal(_) => p("服务器出错了，请稍后重试；如果一直出错，请把请求编号告诉管理员", "Something went wrong on the server; try again, and if it persists give the request id to your administrator."),
        }
    }

    /// The problem body in the reader's language.
    pub fn problem(&self, lang: Lang, request_id: Option<String>) -> Problem {
        let errors = match self {
            AppError::Validation(issues) => issues
                .iter()
                .map(|i| FieldError {
                    field: i.field.clone(),
                    code: i.code.to_owned(),
                    message: lang.pick(&i.zh, &i.en).to_owned(),
                })
                .collect(),
            AppError::Malformed(detail) => vec![FieldError {
                field: "body".into(),
                code: "request.malformed".into(),
                message: detail.clone(),
            }],
            _ => Vec::new(),
        };
        Problem {
            status: self.status().as_u16(),
            code: self.code().to_owned(),
            message: self.message(lang),
            errors,
            remaining: match self {
                AppError::CapExceeded { remaining, .. } => Some(*remaining),
                _ => None,
            },
            request_id,
        }
    }

    /// The response in the reader's language.
    pub fn render(&self, lang: Lang, request_id: Option<String>) -> HttpResponse {
        let mut res = HttpResponse::build(self.status());
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        match self {
            AppError::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            AppError::Wechat(WechatFailure::RateLimited) => {
                res.insert_header((header::RETRY_AFTER, HeaderValue::from_static("60")));
            }
            AppError::Wechat(WechatFailure::Unavailable) => {
                res.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
            }
            _ => {}
        }
        res.body(serde_json::to_string(&self.problem(lang, request_id)).unwrap_or_default())
    }
}

fn log_chain(err: &AppError) {
    let mut chain = String::new();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        chain.push_str(" <- ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    tracing::error!(error = %err, cause = %chain, "request failed");
}

fn status_zh(status: &str) -> &'static str {
    match status {
        "submitted" => "待审核",
        "approved" => "已通过",
        "rejected" => "未通过",
        "returned" => "已退回",
        "withdrawn" => "已撤回",
        "revoked" => "已撤销",
        _ => "未知",
    }
}

fn action_zh(action: &str) -> &'static str {
    match action {
        "approved" => "通过",
        "rejected" => "驳回",
        "returned" => "退回",
        "withdrawn" => "撤回",
        "revoked" => "撤销",
        "revised" => "修改",
        _ => "这样处理",
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    /// Rendered in zh-CN; the `problem` middleware re-renders it in the caller's language.
    fn error_response(&self) -> HttpResponse {
        if self.status().is_server_error() {
            log_chain(self);
        }
        self.render(Lang::ZhCn, None)
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(e: sea_orm::TransactionError<AppError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

/// A database failure is 503 when the database cannot be reached, 500 otherwise.
impl From<DbErr> for AppError {
    fn from(e: DbErr) -> Self {
        match e {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => AppError::Unavailable(e),
            other => AppError::Db(other),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Request values outside their range, worded once for every route that takes them.
pub mod invalid {
    use super::FieldIssue;

    /// A cycle year outside 2000..=2100.
    pub fn year() -> FieldIssue {
        FieldIssue::new(
            "year",
            "query.invalid",
            "年度须在 2000 到 2100 之间",
            "year must be between 2000 and 2100",
        )
    }

    /// A year and quarter that do not make a cycle quarter.
    pub fn quarter() -> FieldIssue {
        FieldIssue::new(
            "quarter",
            "query.invalid",
            "年度须在 2000 到 2100 之间，季度须为 1 到 4",
            "the year must be 2000 to 2100 and the quarter 1 to 4",
        )
    }

    /// A paging cursor this server did not give (422 on every list).
    pub fn cursor() -> FieldIssue {
        FieldIssue::new(
            "cursor",
            "query.invalid",
            "翻页标记无效，请从第一页重新加载",
            "invalid cursor; reload from the first page",
        )
    }
}
