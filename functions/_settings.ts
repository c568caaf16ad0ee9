/**
 * Settings several functions of the pipeline share: where the data set and
 * the model are, and where the metric log and the plot go. Each function that
 * needs one lists it among its own settings.
 *
 * @module
 */
import { text } from "../shared/settings.ts";

/** The data set and the fitted model. */
export const dataDir = text("DATA_DIR", "./data");

/** The metric log and the histogram. */
export const logsDir = text("LOGS_DIR", "./logs");
