//! Multipart forms that carry a file (the media API and the compose page), read so that big
//! uploads cannot exhaust memory.
//!
//! Eight parallel 100 MB uploads once raised the server from 162 MB to 1.2 GB before they were
//! refused: each file was buffered whole while it arrived, then copied. Now the file streams
//! to an unnamed temporary file (gone when closed, even after a crash) with the size limit
//! enforced as bytes arrive (413 at the first byte too many); it is read into memory once,
//! only when a processing slot is free, and handed to `credence-media` by value. Each account
//! may have [`UPLOADS_PER_ACCOUNT`] uploads in progress, and the instance processes
//! [`PROCESSED_AT_ONCE`] at a time. Measured with `bench/uploads.sh`.

use std::collections::HashMap;
use std::io::SeekFrom;
use std::path::Path;
use std::sync::Mutex;

use axum::extract::multipart::{Field, Multipart, MultipartError, MultipartRejection};
use axum::http::StatusCode;
use credence_core::{media, CoreError};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{ApiError, HtmlError};

/// Uploads one account may have in progress at once (a phone sending two photos).
pub const UPLOADS_PER_ACCOUNT: usize = 2;
/// Files this instance decodes and stores at once: one per core of a small server.
pub const PROCESSED_AT_ONCE: usize = 2;
/// The most text a form may carry, all fields together (an article's body is at most 100,000
/// characters; the rest are short): the text is held in memory, outside the processing slots.
const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;

/// Why a form could not be read; shown to the person as it is.
#[derive(Debug)]
pub struct FormError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl FormError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> FormError {
        FormError {
            status,
            code,
            message: message.into(),
        }
    }

    fn unreadable(e: MultipartError) -> FormError {
        FormError::new(
            e.status(),
            "invalid",
            format!("The upload could not be read: {}", e.body_text()),
        )
    }

    fn invalid(message: impl Into<String>) -> FormError {
        FormError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    fn internal(e: std::io::Error) -> FormError {
        tracing::error!(error = %e, "cannot hold an upload in a temporary file");
        FormError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; please try again",
        )
    }
}

impl From<FormError> for ApiError {
    fn from(e: FormError) -> ApiError {
        ApiError::new(e.status, e.code, e.message)
    }
}

impl From<FormError> for HtmlError {
    fn from(e: FormError) -> HtmlError {
        HtmlError::new(e.status, e.message)
    }
}

/// A multipart form: text fields by name (repeats kept in order) and at most one file per
/// file field.
pub struct UploadForm {
    pub texts: HashMap<String, Vec<String>>,
    files: HashMap<String, ReceivedFile>,
}

impl UploadForm {
    /// The file sent as `name`, if any.
    pub fn take_file(&mut self, name: &str) -> Option<ReceivedFile> {
        self.files.remove(name)
    }

    /// The text fields as one URL-encoded form, for the body types other requests read.
    pub fn texts_encoded(&self) -> String {
        let pairs = self
            .texts
            .iter()
            .flat_map(|(name, values)| values.iter().map(move |v| (name, v)));
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }

    /// The first value of a text field, or "".
    pub fn text(&self, name: &str) -> String {
        self.texts
            .get(name)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    }

    /// Every value of a text field.
    pub fn texts(&self, name: &str) -> Vec<String> {
        self.texts.get(name).cloned().unwrap_or_default()
    }
}

/// A file received in a form, held on disk until it is processed.
pub struct ReceivedFile {
    file: tokio::fs::File,
    len: usize,
}

impl ReceivedFile {
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The file's bytes, read into memory once.
    pub async fn into_bytes(mut self) -> Result<Vec<u8>, CoreError> {
        let mut bytes = Vec::with_capacity(self.len);
        let read = async {
            self.file.seek(SeekFrom::Start(0)).await?;
            self.file.read_to_end(&mut bytes).await
        };
        read.await
            .map_err(|e| CoreError::Internal(anyhow::anyhow!("reading back an upload: {e}")))?;
        Ok(bytes)
    }
}

/// Reads a multipart form, streaming its `file` part to a temporary file in `dir`.
pub async fn read_form(
    multipart: Result<Multipart, MultipartRejection>,
    dir: &Path,
) -> Result<UploadForm, FormError> {
    read_form_with_files(multipart, dir, &["file"]).await
}

/// Reads a multipart form whose `file_fields` are files, each streamed to a temporary file in
/// `dir`; every other part is text.
pub async fn read_form_with_files(
    multipart: Result<Multipart, MultipartRejection>,
    dir: &Path,
    file_fields: &[&str],
) -> Result<UploadForm, FormError> {
    let mut multipart = multipart.map_err(|e| {
        FormError::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!(
                "Send the upload as multipart/form-data with a boundary: {}",
                e.body_text()
            ),
        )
    })?;
    let mut form = UploadForm {
        texts: HashMap::new(),
        files: HashMap::new(),
    };
    let mut text_bytes = 0;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(FormError::unreadable)?
    {
        let name = field.name().unwrap_or_default().to_string();
        if file_fields.contains(&name.as_str()) {
            if form.files.contains_key(&name) {
                return Err(FormError::invalid(format!(
                    "Send one file per field: this form had two `{name}` parts"
                )));
            }
            let file = receive_file(field, dir).await?;
            form.files.insert(name, file);
        } else {
            let room = MAX_TEXT_BYTES.saturating_sub(text_bytes);
            let text = receive_text(field, &name, room).await?;
            text_bytes += text.len();
            form.texts.entry(name).or_default().push(text);
        }
    }
    Ok(form)
}

async fn receive_file(mut field: Field<'_>, dir: &Path) -> Result<ReceivedFile, FormError> {
    let largest = media::largest_file_bytes();
    let dir = dir.to_path_buf();
    let file = tokio::task::spawn_blocking(move || tempfile::tempfile_in(dir))
        .await
        .map_err(|e| FormError::internal(std::io::Error::other(e)))?
        .map_err(FormError::internal)?;
    let mut file = tokio::fs::File::from_std(file);
    let mut len = 0;
    while let Some(chunk) = field.chunk().await.map_err(FormError::unreadable)? {
        len += chunk.len();
        if len > largest {
            return Err(FormError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "The file is over {} MB, the most a video may be (images: {} MB)",
                    largest / (1024 * 1024),
                    media::largest_image_bytes() / (1024 * 1024)
                ),
            ));
        }
        file.write_all(&chunk).await.map_err(FormError::internal)?;
    }
    file.flush().await.map_err(FormError::internal)?;
    Ok(ReceivedFile { file, len })
}

async fn receive_text(mut field: Field<'_>, name: &str, room: usize) -> Result<String, FormError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(FormError::unreadable)? {
        if bytes.len() + chunk.len() > room {
            return Err(FormError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("The form's text (at `{name}`) is longer than any text Credence keeps"),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| {
        FormError::invalid(format!("The field `{name}` is not text: send it in UTF-8"))
    })
}

/// Processes and stores a received file, in turn with the other uploads on this instance.
pub async fn store(
    state: &crate::state::AppState,
    actor: &credence_core::Actor,
    file: ReceivedFile,
    description: &str,
    long_description: &str,
) -> Result<media::MediaInfo, CoreError> {
    let _turn = state.uploads.processing_slot().await;
    let bytes = file.into_bytes().await?;
    media::upload(&state.core, actor, bytes, description, long_description).await
}

/// Uploads in progress on this instance.
pub struct UploadGate {
    in_progress: Mutex<HashMap<i64, usize>>,
    processing: Semaphore,
}

impl Default for UploadGate {
    fn default() -> Self {
        UploadGate {
            in_progress: Mutex::new(HashMap::new()),
            processing: Semaphore::new(PROCESSED_AT_ONCE),
        }
    }
}

/// One upload of an account's in progress; dropping it ends it.
pub struct UploadTicket<'a> {
    gate: &'a UploadGate,
    profile_id: i64,
}

impl UploadGate {
    /// Starts an upload for `profile_id`, unless they already have as many going as allowed.
    pub fn begin(&self, profile_id: i64) -> Result<UploadTicket<'_>, FormError> {
        let mut in_progress = self.in_progress.lock().expect("upload gate lock");
        let count = in_progress.entry(profile_id).or_default();
        if *count >= UPLOADS_PER_ACCOUNT {
            return Err(FormError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!(
                    "You already have {UPLOADS_PER_ACCOUNT} uploads in progress: wait for one to finish"
                ),
            ));
        }
        *count += 1;
        Ok(UploadTicket {
            gate: self,
            profile_id,
        })
    }

    /// Waits for a turn to hold a file in memory and process it.
    pub async fn processing_slot(&self) -> SemaphorePermit<'_> {
        self.processing
            .acquire()
            .await
            .expect("the processing semaphore is never closed")
    }
}

impl Drop for UploadTicket<'_> {
    fn drop(&mut self) {
        let mut in_progress = self.gate.in_progress.lock().expect("upload gate lock");
        if let Some(count) = in_progress.get_mut(&self.profile_id) {
            *count -= 1;
            if *count == 0 {
                in_progress.remove(&self.profile_id);
            }
        }
    }
}
