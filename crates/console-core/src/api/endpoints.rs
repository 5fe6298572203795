//! The Hook0 endpoints the console reads, replay, and enabling or disabling a subscription.
//!
//! Paths and query parameters are those of the captured real server (`samples/index.json`).
//! Bodies decode into `hook0_client`'s generated models, each checked against the captured
//! samples by the tests; where the API's encoding needs interpreting (base64 payloads,
//! response bodies) the model is validated into a [`crate::record`] ([`EventRecord`],
//! [`ResponseRecord`]), the same type the cache stores.

use hook0_client::generated::{
    Application, Event, EventType, EventWithPayload, Organization, OrganizationInfo,
    RequestAttempt, Response, Subscription,
};
use uuid::Uuid;

use super::retry::Idempotency;
use super::{ApiClient, ApiError, SubscriptionRead};
use crate::record::{EventRecord, RecordError, ResponseRecord};

/// A model that did not validate is a decode error of the URL it came from.
fn at(url: String) -> impl FnOnce(RecordError) -> ApiError {
    move |error| ApiError::Decode {
        url,
        reason: error.to_string(),
    }
}

fn app(application_id: Uuid) -> [(&'static str, String); 1] {
    [("application_id", application_id.to_string())]
}

impl ApiClient {
    /// `GET organizations`: those the credentials can see, with the role in each.
    pub async fn organizations(&self) -> Result<Vec<Organization>, ApiError> {
        self.get_json("organizations", &[]).await
    }

    /// `GET organizations/{id}`: plan, quotas (`quotas.days_of_events_retention_limit`),
    /// members. Needs an organization-level credential (not an application secret).
    pub async fn organization_info(
        &self,
        organization_id: Uuid,
    ) -> Result<OrganizationInfo, ApiError> {
        self.get_json(&format!("organizations/{organization_id}"), &[])
            .await
    }

    /// `GET applications?organization_id=`.
    pub async fn applications(&self, organization_id: Uuid) -> Result<Vec<Application>, ApiError> {
        self.get_json(
            "applications",
            &[("organization_id", organization_id.to_string())],
        )
        .await
    }

    /// `GET event_types?application_id=`.
    pub async fn event_types(&self, application_id: Uuid) -> Result<Vec<EventType>, ApiError> {
        self.get_json("event_types", &app(application_id)).await
    }

    /// `GET subscriptions?application_id=`.
    pub async fn subscriptions(&self, application_id: Uuid) -> Result<Vec<Subscription>, ApiError> {
        self.get_json("subscriptions", &app(application_id)).await
    }

    /// `GET subscriptions/{id}?application_id=`: one subscription, with the JSON it came in
    /// (what a full-body update is made from).
    pub async fn subscription(
        &self,
        application_id: Uuid,
        subscription_id: Uuid,
    ) -> Result<SubscriptionRead, ApiError> {
        let path = format!("subscriptions/{subscription_id}");
        let response = self.get(&path, &app(application_id)).await?;
        SubscriptionRead::from_body(&format!("{}{path}", self.base()), &response.body)
    }

    /// `PUT subscriptions/{id}` with `current`'s every field and `is_enabled` set: the
    /// subscription as Hook0 now holds it. Disabling makes Hook0 fail every unfinished
    /// attempt of the subscription at once; enabling does not bring them back.
    pub async fn set_subscription_enabled(
        &self,
        current: &SubscriptionRead,
        is_enabled: bool,
    ) -> Result<Subscription, ApiError> {
        let path = format!("subscriptions/{}", current.subscription.subscription_id);
        let response = self.put(&path, &current.update_body(is_enabled)).await?;
        super::client::decode_json(&format!("{}{path}", self.base()), &response.body)
    }

    /// `GET events?application_id=`: the latest 100 events only, without payloads (the API
    /// does not page this list; complete history comes from request attempts).
    pub async fn events(&self, application_id: Uuid) -> Result<Vec<Event>, ApiError> {
        self.get_json("events", &app(application_id)).await
    }

    /// `GET events/{id}?application_id=`: the event with its payload decoded.
    pub async fn event(
        &self,
        application_id: Uuid,
        event_id: Uuid,
    ) -> Result<EventRecord, ApiError> {
        let path = format!("events/{event_id}");
        let raw: EventWithPayload = self.get_json(&path, &app(application_id)).await?;
        EventRecord::from_api(raw).map_err(at(format!("{}{path}", self.base())))
    }

    /// `GET request_attempts/{id}?application_id=`.
    pub async fn request_attempt(
        &self,
        application_id: Uuid,
        request_attempt_id: Uuid,
    ) -> Result<RequestAttempt, ApiError> {
        self.get_json(
            &format!("request_attempts/{request_attempt_id}"),
            &app(application_id),
        )
        .await
    }

    /// `GET responses/{id}?application_id=`: what the target answered, body interpreted.
    pub async fn response(
        &self,
        application_id: Uuid,
        response_id: Uuid,
    ) -> Result<ResponseRecord, ApiError> {
        let path = format!("responses/{response_id}");
        let raw: Response = self.get_json(&path, &app(application_id)).await?;
        ResponseRecord::from_api(raw).map_err(at(format!("{}{path}", self.base())))
    }

    /// `POST events/{id}/replay {application_id}` → 204. Creates a new attempt chain for
    /// every subscription matching now, each time it is called: it is **not** retried after
    /// an ambiguous failure (timeout, 503, cut connection) — the caller decides, knowing the
    /// replay may have happened. It is retried only when surely not processed (429
    /// `RateLimited`, connection refused) and after refreshing an expired user session.
    pub async fn replay(&self, application_id: Uuid, event_id: Uuid) -> Result<(), ApiError> {
        let body = serde_json::json!({ "application_id": application_id });
        self.post(
            &format!("events/{event_id}/replay"),
            Some(&body),
            Idempotency::NotIdempotent,
        )
        .await?;
        Ok(())
    }
}
