/** The compact encoding's property (./trust-compact.property.ts), share 1 of 2 of its random sets. */
import { describeCompactProperty } from "./trust-compact.property";

describeCompactProperty(1, 2);
