//! Profile photo checks: size and real image content (the declared type alone proves nothing).

use crate::{AppError, NotAnImage};

pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;

/// The image kinds accepted, recognised from their leading bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Gif,
    Webp,
    Heic,
}

impl ImageKind {
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else if bytes.len() >= 12
            && &bytes[4..8] == b"ftyp"
            && matches!(
                &bytes[8..12],
                b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc"
            )
        {
            Some(Self::Heic)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::Heic => "heic",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Heic => "image/heic",
        }
    }
}

/// Checks an upload: declared as an image, within the size limit, and really an image.
pub fn check_photo(declared_type: Option<&str>, bytes: &[u8]) -> Result<ImageKind, AppError> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(AppError::PayloadTooLarge {
            detail: "Image too large (at most 10 MiB)".into(),
        });
    }
    let declared_image =
        declared_type.is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("image/"));
    if !declared_image {
        return Err(NotAnImage::NotDeclared.into());
    }
    ImageKind::sniff(bytes).ok_or(AppError::NotAnImage(NotAnImage::UnknownKind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_images_pass() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0];
        assert_eq!(
            check_photo(Some("image/jpeg"), &jpeg).unwrap(),
            ImageKind::Jpeg
        );
        assert!(check_photo(Some("image/jpeg"), b"<html>").is_err());
        assert!(check_photo(Some("text/plain"), &jpeg).is_err());
        assert!(check_photo(None, &jpeg).is_err());
        let big = vec![0xFF; MAX_PHOTO_BYTES + 1];
        assert!(matches!(
            check_photo(Some("image/jpeg"), &big),
            Err(AppError::PayloadTooLarge { .. })
        ));
    }
}
