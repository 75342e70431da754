//! Queue tickets on both backends: numbers restart every day, queues sharing a letter share
//! its counter, concurrent takers never get the same number, and concurrent callers never
//! call the same ticket.

use std::collections::BTreeSet;

use tongban_store::testing::each_backend;
use tongban_store::{StoreError, TicketRow, call_next_ticket, count_waiting_tickets, insert_ticket};

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("valid timestamp")
}

#[tokio::test]
async fn tickets_are_numbered_per_day_and_letter_and_called_once() {
    for t in each_backend().await {
        let now = at("2026-03-02T02:00:00Z");
        let mut takers = Vec::new();
        for i in 0..24 {
            let store = t.store.clone();
            let queue = if i % 2 == 0 { "fgw" } else { "fin" };
            takers.push(tokio::spawn(async move {
                store
                    .write(move |c| Box::pin(async move { insert_ticket(c, "2026-03-02", 'F', queue, now).await }))
                    .await
            }));
        }
        let mut numbers = BTreeSet::new();
        for h in takers {
            let ticket: TicketRow = h.await.expect("join").expect("taken");
            numbers.insert(ticket.number);
        }
        assert_eq!(numbers.len(), 24, "{}: no number twice", t.name);
        assert!(numbers.contains("F001") && numbers.contains("F024"), "{}: {numbers:?}", t.name);
        let next_day = t
            .store
            .write(move |c| Box::pin(async move { insert_ticket(c, "2026-03-03", 'F', "fgw", now).await }))
            .await
            .expect("taken");
        assert_eq!(next_day.number, "F001", "{}: numbers restart every day", t.name);
        assert_eq!(t.store.waiting_tickets("2026-03-02", &["fgw"]).await.expect("count"), 12);

        let mut callers = Vec::new();
        for i in 0..30 {
            let store = t.store.clone();
            callers.push(tokio::spawn(async move {
                store
                    .write(move |c| {
                        Box::pin(async move {
                            let who = format!("clerk{i}");
                            call_next_ticket(c, "2026-03-02", &["fgw", "fin"], &who, now).await
                        })
                    })
                    .await
            }));
        }
        let mut called = Vec::new();
        for h in callers {
            let r: Result<Option<TicketRow>, StoreError> = h.await.expect("join");
            if let Some(ticket) = r.expect("called") {
                called.push(ticket.number);
            }
        }
        let distinct: BTreeSet<_> = called.iter().cloned().collect();
        assert_eq!((called.len(), distinct.len()), (24, 24), "{}: each ticket called once", t.name);
        let left = t
            .store
            .write(|c| Box::pin(async move { count_waiting_tickets(c, "2026-03-02", &["fgw", "fin"], None).await }))
            .await
            .expect("count");
        assert_eq!(left, 0);
        t.cleanup().await;
    }
}
