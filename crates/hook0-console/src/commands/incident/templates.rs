//! `incident templates` and `incident template export|import`.

use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;
use console_core::incident::Template;

use super::Records;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// JSON lines even on a terminal.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print one template to stdout, to review it or edit it into a custom one.
    Export {
        /// The template id (`incident templates` lists them).
        id: String,
        /// The text format.
        #[arg(long, value_enum, default_value_t = Format::Toml)]
        format: Format,
    },
    /// Import a custom template from a file, validated in full before it is stored.
    Import {
        /// A TOML or JSON file (by its extension, unless --format says).
        file: PathBuf,
        /// The file's format.
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// JSON lines even on a terminal.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Toml,
    Json,
}

pub fn list(records: &mut Records, args: ListArgs) -> anyhow::Result<()> {
    let all = records.store.templates()?;
    let json = output::wants_json(args.json);
    if !json {
        println!(
            "{:<24} {:<20} {:>3} {:>5}  {:<8} name",
            "id", "kind", "v", "items", "origin"
        );
    }
    for info in &all {
        let s = console_core::console::template_summary(info);
        if json {
            output::json_line(&s)?;
        } else {
            println!(
                "{} {:<20} {:>3} {:>5}  {:<8} {}",
                output::cell(&s.id, 24),
                s.kind.as_str(),
                s.version,
                s.items,
                if s.shipped { "shipped" } else { "imported" },
                s.name
            );
        }
    }
    Ok(())
}

pub fn run(records: &mut Records, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Export { id, format } => {
            let template = records.store.template(&id)?;
            let text = match format {
                Format::Toml => template.to_toml()?,
                Format::Json => template.to_json()?,
            };
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            Ok(())
        }
        Command::Import { file, format, json } => import(records, &file, format, json),
    }
}

fn import(
    records: &mut Records,
    file: &std::path::Path,
    format: Option<Format>,
    json: bool,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let format = format.unwrap_or_else(|| {
        let is_json = file
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json"));
        if is_json { Format::Json } else { Format::Toml }
    });
    let template = match format {
        Format::Toml => Template::from_toml(&text),
        Format::Json => Template::from_json(&text),
    }
    .with_context(|| format!("{} is not a valid incident template", file.display()))?;
    records.store.save_template(&template, Utc::now())?;
    let info = records
        .store
        .templates()?
        .into_iter()
        .find(|t| !t.shipped && t.template.id == template.id)
        .with_context(|| format!("template {:?} was not stored", template.id))?;
    records.audit(format!("template:{}", template.id), "template_imported")?;
    let s = console_core::console::template_summary(&info);
    if output::wants_json(json) {
        output::json_line(&s)?;
    } else {
        println!(
            "Imported template {} (version {}, {} items): {}",
            s.id, s.version, s.items, s.name
        );
    }
    Ok(())
}
