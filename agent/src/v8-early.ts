/** Imported first by the CLI: the young generation's size is decided while the modules below load. */
import { tuneV8Early } from "./v8-tuning";

tuneV8Early();
