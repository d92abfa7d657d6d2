//! A [`kontext::hosted::Host`] on tokio: runs the scenario suite through the core's hosted
//! HTTP/1.1 client (the one the Node engine drives from libuv), so that stack answers to every
//! scenario in the Rust run too, independently of any binding.

use std::io;
use std::sync::Arc;

use kontext::hosted::{BoxFuture, Host, HostStream};

pub struct TokioHost;

impl Host for TokioHost {
    fn connect(&self, host: &str, port: u16) -> BoxFuture<io::Result<Box<dyn HostStream>>> {
        let host = host.to_owned();
        Box::pin(async move {
            let stream = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
            stream.set_nodelay(true)?;
            Ok(Box::new(stream) as Box<dyn HostStream>)
        })
    }

    fn spawn(&self, task: BoxFuture<()>) {
        tokio::spawn(task);
    }
}

/// The host every hosted client of a run shares.
pub fn host() -> Arc<dyn Host> {
    Arc::new(TokioHost)
}
