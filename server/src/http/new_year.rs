//! Opens the points year on the first request after New Year; see
//! [`crate::services::years::new_year`]. After that first request it costs one atomic read.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::http::state::AppState;

pub async fn open_due_years(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        state.new_year.ensure(&state.db, state.now()).await;
    }
    next.call(req).await
}
