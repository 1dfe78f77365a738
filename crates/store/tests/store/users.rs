use zhixing_core::access::{Role, Username};
use zhixing_core::court::CourtCode;
use zhixing_store::testing::{seed_courts, seed_user};
use zhixing_store::{AuthOutcome, NewUser, SessionKind, Store, StoreError};

use crate::NOW;

zhixing_store::backend_tests! {
    users_are_unique_and_belong_to_known_courts,
    sessions_expire_and_end_with_the_account,
    failed_logins_lock_the_account,
}

async fn users_are_unique_and_belong_to_known_courts(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    assert_eq!(store.user(judge.id).await.unwrap().unwrap(), judge);
    assert_eq!(store.user_by_username("hs_judge").await.unwrap().unwrap(), judge);
    let again = NewUser {
        username: Username::parse("hs_judge").unwrap(),
        display_name: "重名".into(),
        role: Role::Clerk,
        court: CourtCode::parse("浙0203").unwrap(),
        password_hash: "x".into(),
    };
    assert!(matches!(store.create_user(&again, NOW).await, Err(StoreError::UsernameTaken)));
    let nowhere =
        NewUser { username: Username::parse("ghost").unwrap(), court: CourtCode::parse("浙0999").unwrap(), ..again };
    assert!(matches!(store.create_user(&nowhere, NOW).await, Err(StoreError::UnknownCourt(_))));
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert_eq!(store.users_of_court(&CourtCode::parse("浙0203").unwrap()).await.unwrap(), vec![judge]);
}

async fn sessions_expire_and_end_with_the_account(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    store.create_session("hash-1", judge.id, SessionKind::Browser, "csrf-1", NOW, NOW + 1000).await.unwrap();
    let session = store.session("hash-1", NOW + 10).await.unwrap().unwrap();
    assert_eq!(session.user, judge);
    assert_eq!(session.kind, SessionKind::Browser);
    assert_eq!(session.csrf_token, "csrf-1");
    assert!(store.session("hash-1", NOW + 1000).await.unwrap().is_none(), "expired");
    store.touch_session("hash-1", NOW + 500, NOW + 5000).await.unwrap();
    assert!(store.session("hash-1", NOW + 1000).await.unwrap().is_some(), "slid");
    assert!(store.session("other", NOW).await.unwrap().is_none());

    store.set_user_active(judge.id, false, NOW).await.unwrap();
    assert!(store.session("hash-1", NOW + 600).await.unwrap().is_none(), "disabled account ends sessions");
    store.set_user_active(judge.id, true, NOW).await.unwrap();
    store.create_session("hash-2", judge.id, SessionKind::Api, "c", NOW, NOW + 1000).await.unwrap();
    store.set_password(judge.id, "new-hash", NOW).await.unwrap();
    assert!(store.session("hash-2", NOW).await.unwrap().is_none(), "password change ends sessions");
    store.create_session("hash-3", judge.id, SessionKind::Api, "c", NOW, NOW + 10).await.unwrap();
    assert_eq!(store.purge_expired_sessions(NOW + 20).await.unwrap(), 1);
}

async fn failed_logins_lock_the_account(store: Store) {
    seed_courts(&store).await;
    let judge = seed_user(&store, "hs_judge", Role::Judge, "浙0203").await;
    for expected in 1..=4 {
        assert_eq!(store.record_login_failure(judge.id, 5, NOW + 900_000).await.unwrap(), expected);
    }
    assert_eq!(store.credentials("hs_judge").await.unwrap().unwrap().locked_until, None);
    store.record_login_failure(judge.id, 5, NOW + 900_000).await.unwrap();
    let creds = store.credentials("hs_judge").await.unwrap().unwrap();
    assert_eq!(creds.locked_until, Some(NOW + 900_000));
    store.record_login_success(judge.id).await.unwrap();
    assert_eq!(store.credentials("hs_judge").await.unwrap().unwrap().locked_until, None);
    store
        .record_auth_event(NOW, "hs_judge", Some(judge.id), AuthOutcome::BadPassword, Some("127.0.0.1"))
        .await
        .unwrap();
    store.record_auth_event(NOW + 1, "hs_judge", Some(judge.id), AuthOutcome::Success, None).await.unwrap();
    let events = store.auth_events_of("hs_judge").await.unwrap();
    assert_eq!(events, vec![(NOW, "bad_password".to_string()), (NOW + 1, "success".to_string())]);
}
