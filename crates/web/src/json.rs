//! `ApiJson<T>`: the JSON body extractor of the API.
//!
//! It answers every way a body can be wrong in the API's error shape:
//! wrong or missing content type → 415, too large → 413, not JSON → 400,
//! JSON of the wrong shape → 422 naming the field (via
//! `serde_path_to_error`). Nothing has been written when any of these occur.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求体须为JSON，并设置 Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "请求体过大")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", "无法读取请求体")
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses a JSON document, reporting syntax errors (400) apart from shape
/// errors (422 with the path of the field). The body must be an object.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("请求体不是合法的JSON：第{}行第{}列", e.line(), e.column()),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", "请求体应为JSON对象"));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        shape_error(&path, &error.into_inner().to_string())
    })
}

fn shape_error(path: &str, detail: &str) -> ApiError {
    let field = if path == "." { None } else { Some(path.to_string()) };
    let message = if let Some(rest) = detail.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or_default();
        format!("不认识的字段“{name}”")
    } else if detail.starts_with("missing field `") {
        let name = detail.trim_start_matches("missing field `").split('`').next().unwrap_or_default();
        format!("缺少必填字段“{name}”")
    } else if detail.contains("expected a string") {
        "此处应为字符串（金额和日期也以字符串表示，如 \"100000.00\"、\"2025-03-15\"）".to_string()
    } else if detail.contains("expected i64") || detail.contains("expected an integer") {
        "此处应为整数".to_string()
    } else if detail.contains("expected a sequence") {
        "此处应为数组".to_string()
    } else if detail.contains("expected struct") || detail.contains("expected a map") {
        "此处应为对象".to_string()
    } else {
        format!("字段类型不正确：{detail}")
    };
    let missing_field =
        detail.strip_prefix("missing field `").and_then(|r| r.split('`').next()).map(|name| match &field {
            Some(parent) => format!("{parent}.{name}"),
            None => name.to_string(),
        });
    let mut error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", message);
    error.field = missing_field.or(field);
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        items: Option<Vec<Item>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        amount: String,
    }

    #[test]
    fn classifies_errors() {
        let e = parse_json::<Body>(b"{\"name\": ").unwrap_err();
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "malformed_json"));
        let e = parse_json::<Body>(b"{\"name\": \"x\"} trailing").unwrap_err();
        assert_eq!(e.code, "malformed_json");
        let e = parse_json::<Body>(b"[1, 2]").unwrap_err();
        assert_eq!((e.status, e.code, e.field), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", None));
        let e = parse_json::<Body>(br#"{"name": "x", "items": [{"amount": 12.5}]}"#).unwrap_err();
        assert_eq!(
            (e.status, e.code, e.field.as_deref()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("items[0].amount"))
        );
        let e = parse_json::<Body>(br#"{"name": "x", "extra": 1}"#).unwrap_err();
        assert!(e.message.contains("extra"));
        let e = parse_json::<Body>(br#"{"items": []}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        assert!(parse_json::<Body>(br#"{"name": "x"}"#).is_ok());
    }
}
