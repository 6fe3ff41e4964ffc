/** The compact encoding's property (./trust-compact.property.ts), share 2 of 2 of its random sets. */
import { describeCompactProperty } from "./trust-compact.property";

describeCompactProperty(2, 2);
