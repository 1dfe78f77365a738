//! The API's one error shape:
//! `{"error": {"code", "message", "field", "details": [...]}}`.
//!
//! `code` is stable and machine-readable; `message` is simplified Chinese;
//! `field` is the JSON path of the offending input (null when the request as
//! a whole is at fault); `details` lists every field error when there are
//! several. Internal failures are logged with their cause and answered with
//! an opaque 500 — bad input never gets here.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use zhixing_core::error::FieldError;
use zhixing_core::workflow::{Missing, Refusal};
use zhixing_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub details: Vec<FieldError>,
    /// Unmet conditions of a refused transition or node, each with its rule.
    pub missing: Vec<Missing>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_citizen_id`.
    pub code: String,
    /// Message in simplified Chinese.
    pub message: String,
    /// JSON path of the offending field, e.g. `parties[1].id_number`.
    pub field: Option<String>,
    /// All field errors, when the request had several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldErrorDto>,
    /// For `transition_refused` / `node_refused`: one entry per unmet
    /// condition, `rule` citing the article.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingDto>,
}

#[derive(Serialize, ToSchema)]
pub struct MissingDto {
    pub item: String,
    pub rule: String,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorDto {
    pub code: String,
    pub message: String,
    pub field: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: None, details: Vec::new(), missing: Vec::new() }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录：缺少或无效的访问令牌")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "案件不存在或无权查看")
    }

    pub fn conflict(current: i64) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "version_conflict",
            format!("案件已被他人修改（当前版本为{current}），请重新读取后再提交；本次修改未保存"),
        )
        .with_field("version")
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误，请稍后重试；本次操作未保存")
    }

    /// 422: a workflow rule refused; every unmet condition with its rule.
    pub fn refused(code: &'static str, refusal: Refusal) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message: refusal.message,
            field: None,
            details: Vec::new(),
            missing: refusal.missing,
        }
    }

    /// 422 with every field error; the first one is the headline.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        match errors.first() {
            None => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "输入无效"),
            Some(first) => Self {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: first.code,
                message: first.message.clone(),
                field: Some(first.field.clone()),
                details: if errors.len() > 1 { errors } else { Vec::new() },
                missing: Vec::new(),
            },
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        ApiError::validation(vec![error])
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::VersionConflict { current } => ApiError::conflict(current),
            StoreError::Rejected(field_error) => field_error.into(),
            StoreError::Refused(refusal) => ApiError::refused("transition_refused", refusal),
            other => {
                tracing::error!(error = %other, "storage failure");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                field: self.field,
                details: self
                    .details
                    .into_iter()
                    .map(|e| FieldErrorDto { code: e.code.to_string(), message: e.message, field: e.field })
                    .collect(),
                missing: self.missing.into_iter().map(|m| MissingDto { item: m.item, rule: m.rule }).collect(),
            },
        };
        (self.status, Json(body)).into_response()
    }
}
