//! A small runner for background work: each task runs every `period`, logs
//! what it did or why it failed, and stops when the runner is stopped. The
//! server's sweeps, batch writers and certificate check run on it (and the
//! push worker will). No task runs inside a request.

use std::future::Future;
use std::time::Duration;
use tokio::task::JoinHandle;

/// What one run of a task did: how many things, for the log.
pub type Done = Result<usize, String>;

#[derive(Default)]
pub struct Tasks {
    running: Vec<(&'static str, JoinHandle<()>)>,
}

impl Tasks {
    pub fn new() -> Tasks {
        Tasks::default()
    }

    /// Runs `run` every `period` (first after one period). A run that did
    /// something is logged at info with `what`; a failure is a warning, and
    /// the task goes on.
    pub fn every<F, Fut>(&mut self, name: &'static str, period: Duration, what: &'static str, mut run: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Done> + Send + 'static,
    {
        let handle = tokio::spawn(async move {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match run().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(task = name, count = n, "{what}"),
                    Err(e) => tracing::warn!(task = name, error = %e, "background task failed; it will run again"),
                }
            }
        });
        self.running.push((name, handle));
    }

    /// Starts a task that runs until it returns or the runner stops.
    pub fn spawn(&mut self, name: &'static str, fut: impl Future<Output = ()> + Send + 'static) {
        self.running.push((name, tokio::spawn(fut)));
    }

    /// The names of the tasks started, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.running.iter().map(|(n, _)| *n).collect()
    }

    /// Stops every task where it waits; a run in progress is dropped at its
    /// next await, so tasks must leave no half-done work between awaits
    /// (store writes are whole or nothing).
    pub fn stop(self) {
        for (_, h) in self.running {
            h.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(start_paused = true)]
    async fn runs_every_period_until_stopped() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut tasks = Tasks::new();
        let r = runs.clone();
        tasks.every("count", Duration::from_secs(10), "counted", move || {
            let r = r.clone();
            async move { Ok(r.fetch_add(1, Ordering::SeqCst)) }
        });
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 0, "the first run waits one period");
        tokio::time::sleep(Duration::from_secs(31)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert_eq!(tasks.names(), ["count"]);
        tasks.stop();
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3, "no run after stop");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_run_does_not_end_the_task() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut tasks = Tasks::new();
        let r = runs.clone();
        tasks.every("fail", Duration::from_secs(1), "never", move || {
            let r = r.clone();
            async move {
                r.fetch_add(1, Ordering::SeqCst);
                Err("broken".to_string())
            }
        });
        tokio::time::sleep(Duration::from_millis(3500)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        tasks.stop();
    }
}
