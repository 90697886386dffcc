pub mod auth;
pub mod health;
pub mod media;
pub mod users;
