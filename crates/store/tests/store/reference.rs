use zhixing_core::calendar::WorkCalendar;
use zhixing_core::court::{CourtCode, CourtDirectory};
use zhixing_store::Store;
use zhixing_store::testing::{TEST_COURTS, seed_courts};

zhixing_store::backend_tests! {
    courts_round_trip_and_update,
    calendar_round_trips,
    lpr_round_trips,
}

async fn courts_round_trip_and_update(store: Store) {
    seed_courts(&store).await;
    let loaded = store.courts().await.unwrap();
    let expected = CourtDirectory::parse_csv(TEST_COURTS).unwrap();
    assert_eq!(loaded.len(), expected.len());
    for court in &expected {
        assert!(loaded.contains(court), "{court:?}");
    }
    // Re-importing with a new name updates in place.
    let mut renamed = expected.clone();
    renamed.iter_mut().find(|c| c.code.as_str() == "浙0203").unwrap().name = "宁波市海曙区人民法院（新）".into();
    store.upsert_courts(&renamed, 1).await.unwrap();
    let loaded = store.courts().await.unwrap();
    let haishu = loaded.iter().find(|c| c.code == CourtCode::parse("浙0203").unwrap()).unwrap();
    assert_eq!(haishu.name, "宁波市海曙区人民法院（新）");
    assert_eq!(loaded.len(), expected.len());
}

async fn calendar_round_trips(store: Store) {
    let entries = WorkCalendar::parse_csv(include_str!("../../../../data/calendar.csv")).unwrap();
    store.upsert_calendar(&entries).await.unwrap();
    store.upsert_calendar(&entries).await.unwrap();
    let loaded = store.calendar().await.unwrap();
    assert_eq!(loaded, entries);
    let calendar = WorkCalendar::new(loaded).unwrap();
    assert!(calendar.covers(2026));
}

async fn lpr_round_trips(store: Store) {
    use zhixing_core::calc::lpr::LprTable;
    let fixings = LprTable::parse_csv(include_str!("../../../../data/lpr.csv")).unwrap();
    store.upsert_lpr(&fixings, 0).await.unwrap();
    assert_eq!(store.lpr().await.unwrap(), fixings);
    // A corrected fixing replaces the old one.
    let mut corrected = fixings[0];
    corrected.one_year = "4.30".parse().unwrap();
    store.upsert_lpr(&[corrected], 1).await.unwrap();
    let loaded = store.lpr().await.unwrap();
    assert_eq!(loaded.len(), fixings.len());
    assert_eq!(loaded[0], corrected);
}
