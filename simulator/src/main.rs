//! `marketplace-metering-simulator --config sim.json [--port N] [--public-key-out FILE]`:
//! runs the local Marketplace Metering Service until interrupted.

use std::io::Write as _;
use std::process::ExitCode;

use marketplace_metering_simulator::Simulator;

const USAGE: &str =
    "usage: marketplace-metering-simulator [--config FILE] [--port N] [--public-key-out FILE]

Runs a local AWS Marketplace Metering Service on 127.0.0.1 until interrupted (Ctrl-C).
  --config FILE          JSON configuration: products, customers, tokens, access keys, ...
  --port N               port to listen on (default: the file's \"port\", else any free port)
  --public-key-out FILE  write the RegisterUsage public key (PEM) to FILE";

fn main() -> ExitCode {
    let mut config = None;
    let mut port = None;
    let mut key_out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let parsed = match arg.as_str() {
            "--config" => value("--config").map(|v| config = Some(v)),
            "--port" => value("--port").and_then(|v| {
                v.parse::<u16>()
                    .map(|p| port = Some(p))
                    .map_err(|_| format!("--port: {v:?} is not a port number"))
            }),
            "--public-key-out" => value("--public-key-out").map(|v| key_out = Some(v)),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument {other:?}")),
        };
        if let Err(message) = parsed {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the Tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let mut builder = Simulator::builder();
        if let Some(path) = &config {
            builder = builder.from_file(path);
        }
        if let Some(port) = port {
            builder = builder.port(port);
        }
        let sim = match builder.start().await {
            Ok(sim) => sim,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Some(path) = &key_out {
            if let Err(e) = std::fs::write(path, sim.public_key_pem()) {
                eprintln!("error: cannot write {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
        // A closed stdout (the reader went away) must not stop the simulator.
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(
            stdout,
            "Marketplace Metering simulator listening on {}\nRegisterUsage public key version {}:\n{}",
            sim.endpoint_url(),
            sim.public_key_version(),
            sim.public_key_pem()
        );
        let _ = stdout.flush();
        drop(stdout);
        std::future::pending::<()>().await;
        ExitCode::SUCCESS
    })
}
