#!/usr/bin/env node
// A committed launcher, so npm can link the bin before the bundle in dist/ is built.
import "../dist/cli.js";
