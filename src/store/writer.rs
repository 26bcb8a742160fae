//! The single writer thread and its group commit, and what it counts:
//! commits, writes, the largest batch, and histograms of commit latency and
//! batch size for `/metrics`.

use super::{At, StoreError};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use redb::{Database, Durability, WriteTransaction};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// The most closures one commit takes; more wait for the next one.
const MAX_BATCH: usize = 1024;

type Boxed = Box<dyn Any + Send>;
type Run = Box<dyn Fn(&WriteTransaction) -> Result<Boxed, Boxed> + Send>;

pub enum Outcome {
    Done(Boxed),
    Refused(Boxed),
    Storage(StoreError),
}

impl Outcome {
    pub fn closed() -> Outcome {
        Outcome::Storage(StoreError::Closed)
    }
}

pub fn unpack<T: 'static, E: From<StoreError> + 'static>(o: Outcome) -> Result<T, E> {
    match o {
        Outcome::Done(v) => v
            .downcast::<T>()
            .map(|v| *v)
            .map_err(|_| StoreError::Internal("writer returned the wrong type".into()).into()),
        Outcome::Refused(e) => Err(e
            .downcast::<E>()
            .map(|e| *e)
            .unwrap_or_else(|_| StoreError::Internal("writer returned the wrong error type".into()).into())),
        Outcome::Storage(e) => Err(e.into()),
    }
}

struct Job {
    run: Run,
    reply: oneshot::Sender<Outcome>,
}

/// What the writer has done, for metrics and benchmarks.
struct Counters {
    /// The commits made, shared with the store's readers (see
    /// [`Generation`]).
    generation: Generation,
    /// Writes acknowledged in those commits.
    writes: AtomicU64,
    /// The most writes one commit has carried.
    largest: AtomicU64,
    /// Seconds each commit (the fsync-ed `commit` call) took.
    commit_seconds: Histogram,
    /// Writes per commit: how much group commit is sharing.
    batch_size: Histogram,
}

impl Default for WriterStats {
    /// A closed store's: nothing counted.
    fn default() -> WriterStats {
        let c = Counters::default();
        WriterStats {
            commits: 0,
            writes: 0,
            largest_batch: 0,
            commit_seconds: c.commit_seconds,
            batch_size: c.batch_size,
        }
    }
}

impl Default for Counters {
    fn default() -> Counters {
        Counters {
            generation: Generation::default(),
            writes: AtomicU64::new(0),
            largest: AtomicU64::new(0),
            // 50 µs to about 0.8 s: an fsync here costs about 0.4 ms.
            commit_seconds: Histogram::new(exponential_buckets(0.000_05, 2.0, 15)),
            // 1 to 1024, the most one commit takes.
            batch_size: Histogram::new(exponential_buckets(1.0, 2.0, 11)),
        }
    }
}

/// A copy of the writer's counters; the histograms are shared handles that
/// keep counting, to be registered with a metrics registry.
#[derive(Clone)]
pub struct WriterStats {
    pub commits: u64,
    pub writes: u64,
    pub largest_batch: u64,
    pub commit_seconds: Histogram,
    pub batch_size: Histogram,
}

/// How many commits the store has made since it was opened. It grows
/// right after each commit and before any write of that commit is
/// answered, so a reader that sees `n` and then opens a read transaction
/// reads at least every change of the first `n` commits, and an answer
/// computed from a snapshot opened after reading `n` stays true for as long
/// as the generation is still `n` (see `store::memo`).
#[derive(Clone, Default)]
pub struct Generation(Arc<AtomicU64>);

impl Generation {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

pub struct Writer {
    jobs: mpsc::Sender<Job>,
    thread: JoinHandle<()>,
    counters: Arc<Counters>,
}

impl Writer {
    pub fn start(db: Arc<Database>) -> Writer {
        let (jobs, rx) = mpsc::channel::<Job>();
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        let thread = std::thread::Builder::new()
            .name("latchkey-writer".into())
            .spawn(move || run(db, rx, c))
            .expect("cannot start the writer thread");
        Writer { jobs, thread, counters }
    }

    pub fn submit<T, E, F>(&self, f: F) -> Result<oneshot::Receiver<Outcome>, StoreError>
    where
        F: Fn(&WriteTransaction) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let run: Run = Box::new(move |tx| match f(tx) {
            Ok(v) => Ok(Box::new(v) as Boxed),
            Err(e) => Err(Box::new(e) as Boxed),
        });
        self.jobs.send(Job { run, reply }).map_err(|_| StoreError::Closed)?;
        Ok(rx)
    }

    pub fn generation(&self) -> Generation {
        self.counters.generation.clone()
    }

    pub fn stats(&self) -> WriterStats {
        let c = &self.counters;
        WriterStats {
            commits: c.generation.get(),
            writes: c.writes.load(Ordering::Relaxed),
            largest_batch: c.largest.load(Ordering::Relaxed),
            commit_seconds: c.commit_seconds.clone(),
            batch_size: c.batch_size.clone(),
        }
    }

    /// Drains what was handed in and joins the thread.
    pub fn shutdown(self) {
        drop(self.jobs);
        let _ = self.thread.join();
    }
}

fn run(db: Arc<Database>, rx: mpsc::Receiver<Job>, counters: Arc<Counters>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&db, batch, &counters);
    }
    let (commits, writes) = (counters.generation.get(), counters.writes.load(Ordering::Relaxed));
    tracing::info!(
        commits,
        writes,
        mean_batch = format!("{:.1}", writes as f64 / commits.max(1) as f64),
        largest_batch = counters.largest.load(Ordering::Relaxed),
        "store writer stopped"
    );
}

fn commit_batch(db: &Database, batch: Vec<Job>, counters: &Counters) {
    let mut outcomes: Vec<Option<Outcome>> = batch.iter().map(|_| None).collect();
    let mut live: Vec<usize> = (0..batch.len()).collect();
    while !live.is_empty() {
        let tx = db.begin_write().during("begin write").and_then(|mut tx| {
            tx.set_durability(Durability::Immediate).during("set durability")?;
            Ok(tx)
        });
        let tx = match tx {
            Ok(tx) => tx,
            Err(e) => {
                for &i in &live {
                    outcomes[i] = Some(Outcome::Storage(e.clone()));
                }
                break;
            }
        };
        let mut refused = false;
        for &i in &live {
            let result = catch_unwind(AssertUnwindSafe(|| (batch[i].run)(&tx)));
            outcomes[i] = Some(match result {
                Ok(Ok(v)) => Outcome::Done(v),
                Ok(Err(e)) => {
                    refused = true;
                    Outcome::Refused(e)
                }
                Err(_) => {
                    refused = true;
                    tracing::error!("a write operation panicked; it was rolled back");
                    Outcome::Storage(StoreError::Internal("the operation failed unexpectedly".into()))
                }
            });
        }
        if !refused {
            let started = std::time::Instant::now();
            let committed = tx.commit();
            counters.commit_seconds.observe(started.elapsed().as_secs_f64());
            if let Err(e) = committed {
                tracing::error!(error = %e, "commit failed");
                let e = StoreError::from(e).within("commit", "");
                for &i in &live {
                    outcomes[i] = Some(Outcome::Storage(e.clone()));
                }
            } else {
                counters.generation.0.fetch_add(1, Ordering::Release);
                counters.writes.fetch_add(live.len() as u64, Ordering::Relaxed);
                counters.largest.fetch_max(live.len() as u64, Ordering::Relaxed);
                counters.batch_size.observe(live.len() as f64);
            }
            break;
        }
        // Roll back everything and run the batch again without the closures
        // that failed; their failure is final.
        if let Err(e) = tx.abort() {
            tracing::error!(error = %e, "abort failed");
        }
        live.retain(|&i| matches!(outcomes[i], Some(Outcome::Done(_))));
    }
    for (job, outcome) in batch.into_iter().zip(outcomes) {
        let _ = job.reply.send(outcome.unwrap_or(Outcome::closed()));
    }
}
