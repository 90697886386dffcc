//! A small stateful S3 for the `ObjectStorage` contract: path-style `PUT` and `GET` of objects on
//! a wiremock server, kept in memory with their content type. Answers `404 NoSuchKey` for an
//! object never put. Enough for the adapter's two calls, nothing more.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

type Objects = Arc<Mutex<HashMap<String, (Vec<u8>, Option<String>)>>>;

struct FakeS3 {
    objects: Objects,
}

/// The payload of an `aws-chunked` body (`<hex size>[;ext]\r\n<data>\r\n ... 0\r\n<trailers>`),
/// which the SDK sends when it adds a trailing checksum.
fn decode_aws_chunked(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let header = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(header.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

impl Respond for FakeS3 {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let path = req.url.path().to_owned();
        let header = |name: &str| {
            req.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut objects = self.objects.lock().expect("fake S3 lock");
        match req.method.as_str() {
            "PUT" => {
                let chunked = header("content-encoding").is_some_and(|e| e.contains("aws-chunked"))
                    || header("x-amz-decoded-content-length").is_some();
                let body = if chunked {
                    match decode_aws_chunked(&req.body) {
                        Some(b) => b,
                        None => return ResponseTemplate::new(400),
                    }
                } else {
                    req.body.clone()
                };
                objects.insert(path, (body, header("content-type")));
                ResponseTemplate::new(200).insert_header("ETag", "\"fake\"")
            }
            "GET" => match objects.get(&path) {
                Some((bytes, content_type)) => {
                    let r = ResponseTemplate::new(200).set_body_bytes(bytes.clone());
                    match content_type {
                        Some(t) => r.insert_header("Content-Type", t.as_str()),
                        None => r,
                    }
                }
                None => ResponseTemplate::new(404).set_body_raw(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>\
                     <Message>The specified key does not exist.</Message></Error>",
                    "application/xml",
                ),
            },
            "DELETE" => {
                objects.remove(&path);
                ResponseTemplate::new(204)
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

/// A fake S3 endpoint holding no object yet.
pub async fn start() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(FakeS3 {
            objects: Objects::default(),
        })
        .mount(&server)
        .await;
    server
}
