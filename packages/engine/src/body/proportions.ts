/**
 * The body's proportions, in shoulder widths (the distance between the two shoulder joints): the one length every
 * photo gives, whatever its size or framing. Each says what it sets and why it is that size; the parsing stages
 * (body/), the on-model cut-out and the fit read them from here.
 */

// ---- frame (body/frame.ts) ----

/** A half-body photo's hips, below the shoulders' midpoint: a typical torso is about 1.45 shoulder widths long. */
export const HALF_BODY_HIP_DROP_SW = 1.45;
/** …and each side of the centre line: hips are narrower than the shoulders. */
export const HALF_BODY_HIP_HALF_WIDTH_SW = 0.36;

// ---- head and neck (body/head-neck.ts) ----

/** The chin above the shoulder line when no face was found (a neck is about a third of a shoulder width long). */
export const CHIN_ABOVE_SHOULDERS_SW = 0.35;
/** Above the chin, person pixels this far from the centre line are head (hair falls beside the face; hands do not). */
export const HEAD_HALF_WIDTH_SW = 0.7;
/** The neck band's half-width: a neck and its shadowed sides, without the shoulders' skin beside a low neckline. */
export const NECK_HALF_WIDTH_SW = 0.28;
/** The neck band starts this far above the chin line (the face outline's lowest point sits on the jaw, not below it). */
export const NECK_ABOVE_CHIN_SW = 0.1;
/** …and ends this far below the shoulder line, where the collarbones begin. */
export const NECK_BELOW_SHOULDERS_SW = 0.05;

// ---- arms (body/arms.ts) ----

/** Upper-arm capsule radius: as wide as an arm can be (the silhouette clips it), ~0.19 measured. */
export const UPPER_ARM_RADIUS_SW = 0.2;
/** Forearm capsule radius. */
export const FOREARM_RADIUS_SW = 0.16;
/** Hand capsule radius (an open hand is wider than the wrist). */
export const HAND_RADIUS_SW = 0.17;
/** An upper arm's width across (0.20–0.24 measured on the fixtures where an arm hangs free). */
export const ARM_WIDTH_SW = 0.22;
/** Arms hang against the torso only below the armpits, this far below the shoulder line. */
export const ARMPITS_BELOW_SHOULDERS_SW = 0.3;

// ---- torso (body/torso.ts) ----

/** How far out the hips are pushed to the silhouette at most (a hip joint sits inside the body's side). */
export const HIP_PUSH_MAX_SW = 0.5;
/** How far out the shoulders are pushed to the silhouette at most, for the upper body (MoveNet's shoulder points sit
 * 10–15 % of the shoulder width inside it). */
export const SHOULDER_PUSH_MAX_SW = 0.35;
/** The torso's top edge is raised this far above the shoulder points, to the top of the shoulder line. */
export const TORSO_TOP_RAISE_SW = 0.05;

// ---- the garments worn (body/clothes.ts, body/collar.ts) ----

/** The old top's colour seed starts this far below the shoulder line: below the collar and the neck. */
export const TOP_SEED_BELOW_SHOULDERS_SW = 0.25;
/** The old top's seed's half-width: the chest's middle, clear of arms hanging against the body. */
export const TOP_SEED_HALF_WIDTH_SW = 0.22;
/** The knees below the hips when they were not seen (a thigh is about 1.2 shoulder widths long). */
export const KNEES_BELOW_HIPS_SW = 1.2;
/** Radius of the old bottom's seed capsules down each thigh: inside the thigh whatever the pose. */
export const THIGH_SEED_RADIUS_SW = 0.12;
/** Tallest collar band recognised above the old top's body (a ringer's rib, a polo's collar). */
export const COLLAR_MAX_SW = 0.1;
/** Columns searched for a collar, each side of the centre line: the neckline's width with room to spare. */
export const COLLAR_HALF_WIDTH_SW = 0.45;

// ---- legs and skirts (body/legs.ts) ----

/** How far beside the hip joints a leg pixel may lie (a thigh's outer edge, not a hand beside it). */
export const LEG_REACH_SW = 0.45;
/** A skirt's zone reaches this far below its hem: the hem's feathered edge and a little sway. */
export const SKIRT_BELOW_HEM_SW = 0.2;
/** How far a skirt (not a dress) may flare past the legs at its hem, each side. */
export const SKIRT_FLARE_SW = 0.4;
