// Launches `fedreg lsp` for the registry files of the open folder: diagnostics, hover,
// completion and quick fixes all come from the server.
"use strict";
const fs = require("fs");
const path = require("path");
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function serverCommand() {
  const configured = vscode.workspace.getConfiguration("fedreg").get("command") || [];
  if (configured.length > 0) {
    return { command: configured[0], args: configured.slice(1) };
  }
  for (const folder of vscode.workspace.workspaceFolders || []) {
    const local = path.join(folder.uri.fsPath, ".venv", "bin", "fedreg");
    if (fs.existsSync(local)) {
      return { command: local, args: ["lsp"] };
    }
  }
  return { command: "fedreg", args: ["lsp"] };
}

function activate(context) {
  const server = serverCommand();
  client = new LanguageClient(
    "fedreg",
    "fedreg",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", language: "yaml", pattern: "**/registry/**/*.yaml" }],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher("**/registry/**"),
      },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
